//! Many networks of one size as burn tensors, for batched evaluation and training.

use burn::tensor::{Device, Tensor, TensorData, activation};

use crate::error::{CoreError, Result};
use crate::mlp::{Activation, Mlp, Sizes};

/// A batch of `B` networks sharing `(n, m)` and activation, stored as tensors
/// `w [B, m, n]`, `b [B, m]`, `a [B, m]`, `c [B]`.
///
/// The batch axis may stand for several leading axes (for example G groups of
/// beta times N networks): `batch_shape` records them, with product `B`.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// use hyperinterp_core::{Mlp, MlpBatch};
/// let device = Device::default();
/// let nets = vec![Mlp::zeros(3, 4, Default::default())?; 2];
/// let batch = MlpBatch::from_mlps(&nets, &device)?;
/// let x: Tensor<3> = Tensor::zeros([2, 5, 3], &device); // [B, X, n]
/// assert_eq!(batch.forward(x).dims(), [2, 5]);
/// assert_eq!(batch.to_mlps()?, nets);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct MlpBatch {
    /// Input-to-hidden weights `[B, m, n]`.
    pub w: Tensor<3>,
    /// Hidden biases `[B, m]`.
    pub b: Tensor<2>,
    /// Output weights `[B, m]`.
    pub a: Tensor<2>,
    /// Output biases `[B]`.
    pub c: Tensor<1>,
    /// Hidden nonlinearity, shared by the batch.
    pub activation: Activation,
    /// The leading axes the batch axis stands for (product = `B`).
    pub batch_shape: Vec<usize>,
}

impl MlpBatch {
    /// Builds a batch from tensors, checking that their shapes agree.
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// use hyperinterp_core::MlpBatch;
    /// let d = Device::default();
    /// let ok = MlpBatch::new(Tensor::zeros([2, 4, 3], &d), Tensor::zeros([2, 4], &d),
    ///     Tensor::zeros([2, 4], &d), Tensor::zeros([2], &d), Default::default(), vec![2]);
    /// assert!(ok.is_ok());
    /// let bad = MlpBatch::new(Tensor::zeros([2, 4, 3], &d), Tensor::zeros([2, 5], &d),
    ///     Tensor::zeros([2, 4], &d), Tensor::zeros([2], &d), Default::default(), vec![2]);
    /// assert!(bad.is_err());
    /// ```
    pub fn new(
        w: Tensor<3>,
        b: Tensor<2>,
        a: Tensor<2>,
        c: Tensor<1>,
        activation: Activation,
        batch_shape: Vec<usize>,
    ) -> Result<Self> {
        let [batch, m, n] = w.dims();
        Sizes::new(n, m)?;
        let checks: [(&str, Vec<usize>, Vec<usize>); 4] = [
            ("b", b.dims().to_vec(), vec![batch, m]),
            ("a", a.dims().to_vec(), vec![batch, m]),
            ("c", c.dims().to_vec(), vec![batch]),
            (
                "batch_shape",
                vec![batch_shape.iter().product()],
                vec![batch],
            ),
        ];
        for (field, found, expected) in checks {
            if found != expected {
                return Err(CoreError::ShapeMismatch {
                    field: field.to_string(),
                    expected,
                    found,
                });
            }
        }
        Ok(MlpBatch {
            w,
            b,
            a,
            c,
            activation,
            batch_shape,
        })
    }

    /// Number of networks `B`.
    pub fn len(&self) -> usize {
        self.w.dims()[0]
    }

    /// Whether the batch is empty (never true for a batch built by this crate).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The shared sizes `(n, m)`.
    pub fn sizes(&self) -> Sizes {
        let [_, m, n] = self.w.dims();
        Sizes { n, m }
    }

    /// The device the tensors live on.
    pub fn device(&self) -> Device {
        self.w.device()
    }

    /// Uploads networks of one shared size and activation (validated first).
    pub fn from_mlps(mlps: &[Mlp], device: &Device) -> Result<Self> {
        let first = mlps.first().ok_or(CoreError::Empty)?;
        let describe = |mlp: &Mlp| format!("({}, {}, {})", mlp.n, mlp.m, mlp.activation.name());
        for (index, mlp) in mlps.iter().enumerate() {
            mlp.validate()?;
            if (mlp.n, mlp.m, mlp.activation) != (first.n, first.m, first.activation) {
                return Err(CoreError::MixedBatch {
                    index,
                    expected: describe(first),
                    found: describe(mlp),
                });
            }
        }
        let (count, n, m) = (mlps.len(), first.n, first.m);
        let gather = |pick: fn(&Mlp) -> &[f32]| -> Vec<f32> {
            mlps.iter()
                .flat_map(|mlp| pick(mlp).iter().copied())
                .collect()
        };
        let w = Tensor::from_data(TensorData::new(gather(|x| &x.w), [count, m, n]), device);
        let b = Tensor::from_data(TensorData::new(gather(|x| &x.b), [count, m]), device);
        let a = Tensor::from_data(TensorData::new(gather(|x| &x.a), [count, m]), device);
        let c_values: Vec<f32> = mlps.iter().map(|x| x.c).collect();
        let c = Tensor::from_data(TensorData::new(c_values, [count]), device);
        MlpBatch::new(w, b, a, c, first.activation, vec![count])
    }

    /// Downloads every network as an [`Mlp`] (validated: a batch with NaN
    /// weights is an error, not silently exported).
    pub fn to_mlps(&self) -> Result<Vec<Mlp>> {
        let Sizes { n, m } = self.sizes();
        let w = to_vec(&self.w, "w")?;
        let b = to_vec(&self.b, "b")?;
        let a = to_vec(&self.a, "a")?;
        let c = to_vec(&self.c, "c")?;
        (0..self.len())
            .map(|k| {
                Mlp::new(
                    n,
                    m,
                    w[k * m * n..(k + 1) * m * n].to_vec(),
                    b[k * m..(k + 1) * m].to_vec(),
                    a[k * m..(k + 1) * m].to_vec(),
                    c[k],
                    self.activation,
                )
            })
            .collect()
    }

    /// Batched forward pass: inputs `[B, X, n]` (network k sees `x[k]`) → outputs `[B, X]`.
    ///
    /// Shapes are the caller's contract here (this is the training hot path);
    /// burn reports mismatches.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<2> {
        // [B, X, n] @ [B, n, m] -> [B, X, m]
        let pre = x.matmul(self.w.clone().swap_dims(1, 2)) + self.b.clone().unsqueeze_dim(1);
        let hidden = match self.activation {
            Activation::Swish => activation::silu(pre),
            Activation::Relu => activation::relu(pre),
        };
        // [B, X, m] @ [B, m, 1] -> [B, X, 1]
        let out = hidden.matmul(self.a.clone().unsqueeze_dim(2));
        out.squeeze_dim::<2>(2) + self.c.clone().unsqueeze_dim(1)
    }

    /// The same networks with tensors detached from any autodiff graph.
    pub fn detach(&self) -> Self {
        MlpBatch {
            w: self.w.clone().detach(),
            b: self.b.clone().detach(),
            a: self.a.clone().detach(),
            c: self.c.clone().detach(),
            activation: self.activation,
            batch_shape: self.batch_shape.clone(),
        }
    }
}

/// Reads any float tensor back to the host as `f32`s (errors name `field`).
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// let t = Tensor::<1>::from_floats([1.0, 2.0], &Device::default());
/// assert_eq!(hyperinterp_core::to_vec(&t, "t")?, vec![1.0, 2.0]);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn to_vec<const D: usize>(tensor: &Tensor<D>, field: &str) -> Result<Vec<f32>> {
    tensor
        .clone()
        .try_into_vec_as::<f32>()
        .map_err(|e| CoreError::TensorRead {
            field: field.to_string(),
            reason: format!("{e:?}"),
        })
}
