//! The paper's comparison: one MLP trained directly on the task with Adam.

use burn::module::{Module, Param};
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor, TensorData};
use hyperinterp_core::{
    Activation, CoreError, Mlp, MlpBatch, Result, Sizes, Task, require_at_least_one,
    require_positive, warmup_cosine,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

/// Configuration of [`train_adam`].
///
/// ```
/// let config: hyperinterp_l1::AdamBaselineConfig = serde_json::from_str(r#"{"steps": 10}"#).unwrap();
/// assert_eq!(config.batch_size, 256); // unspecified fields keep their defaults
/// assert!(config.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdamBaselineConfig {
    /// Optimisation steps.
    pub steps: usize,
    /// Fresh inputs per step.
    pub batch_size: usize,
    /// Peak learning rate (cosine decay to 0 after a short linear warm-up).
    pub learning_rate: f64,
    /// Seed for the initial weights and all inputs.
    pub seed: u64,
    /// Hidden nonlinearity.
    pub activation: Activation,
}

impl Default for AdamBaselineConfig {
    fn default() -> Self {
        AdamBaselineConfig {
            steps: 3000,
            batch_size: 256,
            learning_rate: 3e-3,
            seed: 0,
            activation: Activation::Swish,
        }
    }
}

impl AdamBaselineConfig {
    /// Errors naming the first field out of range.
    pub fn validate(&self) -> Result<()> {
        require_at_least_one(&[("steps", self.steps), ("batch_size", self.batch_size)])?;
        require_positive(&[("learning_rate", self.learning_rate)])
    }
}

/// The result of [`train_adam`].
#[derive(Clone, Debug)]
pub struct AdamBaseline {
    /// The trained network.
    pub mlp: Mlp,
    /// Training NMSE at every step.
    pub nmse_history: Vec<f32>,
}

#[derive(Module, Debug)]
struct TrainableMlp {
    w: Param<Tensor<3>>,
    b: Param<Tensor<2>>,
    a: Param<Tensor<2>>,
    c: Param<Tensor<1>>,
}

impl TrainableMlp {
    /// The current parameters as a batch of one network.
    fn batch(&self, activation: Activation) -> Result<MlpBatch> {
        MlpBatch::new(
            self.w.val(),
            self.b.val(),
            self.a.val(),
            self.c.val(),
            activation,
            vec![1],
        )
    }
}

/// Trains one MLP of `sizes` on `task` with Adam, from a standard random
/// initialisation (`W ~ N(0, (1.5/sqrt n)^2)`, `b ~ N(0, 0.5^2)`,
/// `a ~ N(0, 1/m)`, `c` = the target mean). `device` should be an autodiff
/// device (`Device::....autodiff()`); it is made one if not.
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_core::{Sizes, Task};
/// use hyperinterp_l1::{train_adam, AdamBaselineConfig, L1Task};
/// let task = L1Task::default();
/// let config = AdamBaselineConfig { steps: 600, ..Default::default() };
/// let trained = train_adam(&task, Sizes::new(3, 9)?, &config, &Device::default())?;
/// assert!(task.nmse_of(&trained.mlp, 2000, 9)? < 0.3);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn train_adam(
    task: &impl Task,
    sizes: Sizes,
    config: &AdamBaselineConfig,
    device: &Device,
) -> Result<AdamBaseline> {
    sizes.validate()?;
    config.validate()?;
    let device = device.clone().autodiff();
    let Sizes { n, m } = sizes;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut normal = |count: usize, std: f64| -> Vec<f32> {
        let dist = Normal::new(0.0, std).expect("std is finite and positive");
        (0..count).map(|_| dist.sample(&mut rng) as f32).collect()
    };
    let w = normal(m * n, 1.5 / (n as f64).sqrt());
    let b = normal(m, 0.5);
    let a = normal(m, 1.0 / (m as f64).sqrt());
    let c = vec![task.target_mean(n) as f32];
    let mut model = TrainableMlp {
        w: Param::from_tensor(Tensor::from_data(TensorData::new(w, [1, m, n]), &device)),
        b: Param::from_tensor(Tensor::from_data(TensorData::new(b, [1, m]), &device)),
        a: Param::from_tensor(Tensor::from_data(TensorData::new(a, [1, m]), &device)),
        c: Param::from_tensor(Tensor::from_data(TensorData::new(c, [1]), &device)),
    };
    let mut optimizer = AdamConfig::new().init();
    let mut nmse_history = Vec::with_capacity(config.steps);
    for step in 0..config.steps {
        let batch = model.batch(config.activation)?;
        let inputs = task.input_tensor(
            1,
            config.batch_size,
            n,
            config.seed ^ (step as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            &device,
        );
        let loss = task.nmse(&batch, inputs).mean();
        let value: f32 = hyperinterp_core::to_vec(&loss, "loss")?[0];
        if !value.is_finite() {
            return Err(CoreError::NonFinite {
                field: format!("Adam baseline loss at step {step}"),
                index: 0,
                value,
            });
        }
        nmse_history.push(value);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        // Warm up over the first 5% of steps, then cosine decay.
        let warmup = (config.steps / 20).max(1);
        let learning_rate = warmup_cosine(config.learning_rate, step, warmup, config.steps);
        model = optimizer.step(learning_rate, model, grads);
    }
    let mlp = model
        .batch(config.activation)?
        .to_mlps()?
        .pop()
        .ok_or(CoreError::Empty)?;
    Ok(AdamBaseline { mlp, nmse_history })
}
