//! The hypernetwork itself: the parameter catalogue, the latent noise, and
//! the one functional forward pass [`generate`] that turns parameters (with a
//! group axis) and noise into networks with their KL.

use burn::tensor::{Device, Tensor, TensorData};
use hyperinterp_core::{CoreError, GeneratedNetworks, Kl, MlpBatch, Result, Sizes};
use hyperinterp_graph_transformer::{
    EdgeMlpParams, Init, LayerParams, MlpGraph, NodeMlpParams, NormParams, ParamSet, ParamSpec,
    edge_mlp, edge_mlp_catalogue, forward, layer_norm, linear, node_mlp, node_mlp_catalogue,
    norm_catalogue, per_group,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::config::{HiddenRoles, HypernetworkConfig, PriorSigmas, PriorWidths, RANDOM_FEATURES};

/// Log-std bounds (in prior units) that keep `exp` and the KL finite.
const MIN_LOG_STD: f64 = -9.0;
const MAX_LOG_STD: f64 = 3.0;

/// The node layers of a generated two-layer MLP: inputs, hidden, output.
const NODE_LAYERS: usize = 3;

/// The full parameter catalogue: embeddings, the graph-transformer layers,
/// the latent heads after each layer, and the weight decoders.
///
/// ```
/// let specs = hyperinterp_hvae::catalogue(&Default::default());
/// assert!(specs.iter().any(|s| s.name == "decoder.w.out" && s.shape == vec![32, 2]));
/// assert!(specs.iter().any(|s| s.name == "latent.2.mean"));
/// // Roles add their embeddings; without them the catalogue has none.
/// use hyperinterp_hvae::{HiddenRoles, HypernetworkConfig};
/// let roles = HypernetworkConfig { hidden_roles: HiddenRoles::Sides, ..Default::default() };
/// assert!(hyperinterp_hvae::catalogue(&roles).iter().any(|s| s.name == "embedding.side"));
/// assert!(!specs.iter().any(|s| s.name == "embedding.side"));
/// ```
pub fn catalogue(config: &HypernetworkConfig) -> Vec<ParamSpec> {
    let d = config.graph.width;
    let dz = config.latent_width;
    let mut specs: Vec<ParamSpec> = [
        "embedding.input",
        "embedding.hidden",
        "embedding.output",
        "embedding.input_hidden",
        "embedding.hidden_output",
    ]
    .iter()
    .map(|name| ParamSpec::new(*name, [d], Init::Normal { std: 1.0 }))
    .collect();
    // (ln n, ln m) → every node and edge: softmax attention averages, so
    // without this nothing in the model could count its inputs.
    specs.push(ParamSpec::new(
        "embedding.sizes",
        [2, d],
        Init::scaled(2, 0.5),
    ));
    // Only with roles, so that a model without them keeps its catalogue.
    if config.hidden_roles.gives_sides() {
        specs.push(ParamSpec::new(
            "embedding.side",
            [d],
            Init::Normal { std: 1.0 },
        ));
    }
    if config.hidden_roles == HiddenRoles::InputsAndSides {
        specs.push(ParamSpec::new(
            "embedding.own_input",
            [d],
            Init::Normal { std: 1.0 },
        ));
    }
    if config.hidden_roles == HiddenRoles::RandomFeatures {
        specs.push(ParamSpec::new(
            "embedding.random_features",
            [RANDOM_FEATURES, d],
            Init::scaled(RANDOM_FEATURES, 1.0),
        ));
    }
    specs.extend(config.graph.catalogue());
    for l in 0..config.graph.layers {
        let prefix = format!("latent.{l}.");
        specs.extend(norm_catalogue(&format!("{prefix}norm"), d));
        // Mean and log-std heads start at the prior N(0, I): KL = 0 at step 0.
        specs.extend([
            ParamSpec::new(format!("{prefix}mean"), [d, dz], Init::Zeros),
            ParamSpec::new(format!("{prefix}mean_bias"), [dz], Init::Zeros),
            ParamSpec::new(format!("{prefix}log_std"), [d, dz], Init::Zeros),
            ParamSpec::new(format!("{prefix}log_std_bias"), [dz], Init::Zeros),
            ParamSpec::new(format!("{prefix}inject"), [dz, d], Init::scaled(dz, 1.0)),
        ]);
    }
    // Each decoder outputs (mean, log-std) of one parameter kind, in prior units.
    specs.extend(edge_mlp_catalogue("decoder.w.", d, d, 2, 1.0));
    specs.extend(edge_mlp_catalogue("decoder.a.", d, d, 2, 1.0));
    specs.extend(node_mlp_catalogue("decoder.b.", d, d, 2, 1.0));
    specs.extend(node_mlp_catalogue("decoder.c.", d, d, 2, 1.0));
    specs
}

/// All the randomness of one forward pass, drawn up front so that it can be
/// replayed, permuted or zeroed: a latent draw at every node after every
/// layer, and one draw per generated weight.
#[derive(Clone, Debug)]
pub struct Noise {
    /// `latents[l][k]`: the draw after layer `l` at node layer `k` (inputs,
    /// hidden, output), `[G, N, size_k, latent_width]`.
    pub latents: Vec<Vec<Tensor<4>>>,
    /// For `W`, `[G, N, m, n]`.
    pub weight: Tensor<4>,
    /// For `b`, `[G, N, m]`.
    pub bias: Tensor<3>,
    /// For `a`, `[G, N, m]`.
    pub output_weight: Tensor<3>,
    /// For `c`, `[G, N]`.
    pub output_bias: Tensor<2>,
}

impl Noise {
    /// Standard normal noise for `groups × networks` networks of `sizes`,
    /// drawn on the host from `seed` (the same numbers on every backend).
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use hyperinterp_core::Sizes;
    /// use hyperinterp_hvae::{HypernetworkConfig, Noise};
    /// let noise = Noise::draw(&HypernetworkConfig::default(), 2, 3, Sizes { n: 4, m: 12 }, 0, &Device::default())?;
    /// assert_eq!(noise.weight.dims(), [2, 3, 12, 4]);
    /// assert_eq!(noise.latents[0][1].dims(), [2, 3, 12, 4]);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn draw(
        config: &HypernetworkConfig,
        groups: usize,
        networks: usize,
        sizes: Sizes,
        seed: u64,
        device: &Device,
    ) -> Result<Noise> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Noise::build(config, groups, networks, sizes, device, |count| {
            (0..count).map(|_| rng.sample(StandardNormal)).collect()
        })
    }

    /// All-zero noise: every latent and weight at its mean (deterministic generation).
    pub fn zeros(
        config: &HypernetworkConfig,
        groups: usize,
        networks: usize,
        sizes: Sizes,
        device: &Device,
    ) -> Result<Noise> {
        Noise::build(config, groups, networks, sizes, device, |count| {
            vec![0.0; count]
        })
    }

    fn build(
        config: &HypernetworkConfig,
        groups: usize,
        networks: usize,
        sizes: Sizes,
        device: &Device,
        mut values: impl FnMut(usize) -> Vec<f32>,
    ) -> Result<Noise> {
        sizes.validate()?;
        if groups == 0 || networks == 0 {
            return Err(CoreError::config(
                "networks",
                "need at least one group and one network",
            ));
        }
        let Sizes { n, m } = sizes;
        let (g, k, dz) = (groups, networks, config.latent_width);
        let mut tensor = |shape: &[usize]| -> TensorData {
            TensorData::new(values(shape.iter().product()), shape.to_vec())
        };
        let latents = (0..config.graph.layers)
            .map(|_| {
                [n, m, 1]
                    .iter()
                    .map(|&size| Tensor::from_data(tensor(&[g, k, size, dz]), device))
                    .collect()
            })
            .collect();
        Ok(Noise {
            latents,
            weight: Tensor::from_data(tensor(&[g, k, m, n]), device),
            bias: Tensor::from_data(tensor(&[g, k, m]), device),
            output_weight: Tensor::from_data(tensor(&[g, k, m]), device),
            output_bias: Tensor::from_data(tensor(&[g, k]), device),
        })
    }

    /// The same latent draws with every weight at its mean (no weight noise).
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use hyperinterp_core::Sizes;
    /// use hyperinterp_hvae::{HypernetworkConfig, Noise};
    /// let noise = Noise::draw(&HypernetworkConfig::default(), 1, 2, Sizes { n: 3, m: 4 }, 0, &Device::default())?;
    /// let quiet = noise.without_weight_noise();
    /// assert_eq!(quiet.weight.abs().sum().into_scalar::<f32>(), 0.0);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn without_weight_noise(self) -> Noise {
        Noise {
            weight: self.weight.zeros_like(),
            bias: self.bias.zeros_like(),
            output_weight: self.output_weight.zeros_like(),
            output_bias: self.output_bias.zeros_like(),
            latents: self.latents,
        }
    }

    /// The noise of groups `start..start + len` only (the networks of one
    /// shard of a training step).
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use hyperinterp_core::Sizes;
    /// use hyperinterp_hvae::{HypernetworkConfig, Noise};
    /// let noise = Noise::draw(&HypernetworkConfig::default(), 4, 2, Sizes { n: 3, m: 4 }, 0, &Device::default())?;
    /// assert_eq!(noise.groups(1, 2).shape().0, 2);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn groups(&self, start: usize, len: usize) -> Noise {
        Noise {
            latents: self
                .latents
                .iter()
                .map(|layer| {
                    layer
                        .iter()
                        .map(|t| t.clone().narrow(0, start, len))
                        .collect()
                })
                .collect(),
            weight: self.weight.clone().narrow(0, start, len),
            bias: self.bias.clone().narrow(0, start, len),
            output_weight: self.output_weight.clone().narrow(0, start, len),
            output_bias: self.output_bias.clone().narrow(0, start, len),
        }
    }

    /// `(G, N, sizes)` of the networks this noise is for.
    pub fn shape(&self) -> (usize, usize, Sizes) {
        let [g, k, m, n] = self.weight.dims();
        (g, k, Sizes { n, m })
    }
}

/// KL of `N(mean, exp(log_std)^2)` against `N(0, 1)`, elementwise, in nats.
/// In prior units this is also each weight's KL against `N(0, sigma0^2)`.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// let d = Device::default();
/// let kl = hyperinterp_hvae::standard_normal_kl(Tensor::<1>::from_floats([0.0, 1.0], &d), Tensor::<1>::zeros([2], &d));
/// assert_eq!(hyperinterp_core::to_vec(&kl, "kl")?, vec![0.0, 0.5]);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn standard_normal_kl<const D: usize>(mean: Tensor<D>, log_std: Tensor<D>) -> Tensor<D> {
    (log_std.clone() * 2.0).exp() * 0.5 + mean.powf_scalar(2.0) * 0.5 - log_std - 0.5
}

/// KL of `N(mean, exp(log_std)^2)` against `N(0, width^2)`, elementwise, in
/// nats: the standard normal KL of both rescaled by `1 / width`, as KL does
/// not change when both distributions are scaled alike.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// let d = Device::default();
/// // A posterior equal to the prior costs nothing; the standard prior's mean-10 point is cheap under width 10.
/// let kl = hyperinterp_hvae::normal_kl(Tensor::<1>::from_floats([0.0, 10.0], &d), Tensor::<1>::from_floats([10f32.ln(), 0.0], &d), 10.0);
/// let kl = hyperinterp_core::to_vec(&kl, "kl")?;
/// assert!(kl[0].abs() < 1e-6);
/// assert!((kl[1] - (0.5 * 1.01 - 0.5 + 10f32.ln())).abs() < 1e-5);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn normal_kl<const D: usize>(mean: Tensor<D>, log_std: Tensor<D>, width: f64) -> Tensor<D> {
    if width == 1.0 {
        return standard_normal_kl(mean, log_std);
    }
    standard_normal_kl(mean / width, log_std - width.ln())
}

/// Sums every axis after the first two: `[G, N, ...]` → `[G, N]` (a `[G, N]` tensor stays as it is).
fn per_network<const D: usize>(t: Tensor<D>) -> Tensor<2> {
    let [g, n] = [t.dims()[0], t.dims()[1]];
    t.reshape([g as i32, n as i32, -1])
        .sum_dim(2)
        .reshape([g, n])
}

/// A decoded parameter kind: mean and log-std in prior units.
#[derive(Clone, Debug)]
pub struct DecodedKind<const D: usize> {
    /// Mean, in units of the prior's std.
    pub mean: Tensor<D>,
    /// Log of the std in units of the prior's std.
    pub log_std: Tensor<D>,
}

/// What the decoder wrote before sampling: each parameter kind's mean and
/// log-std in prior units (`W [G, N, m, n]`, `b`, `a` `[G, N, m]`, `c [G, N]`).
#[derive(Clone, Debug)]
pub struct Decoded {
    /// `W`.
    pub weight: DecodedKind<4>,
    /// `b`.
    pub bias: DecodedKind<3>,
    /// `a`.
    pub output_weight: DecodedKind<3>,
    /// `c`.
    pub output_bias: DecodedKind<2>,
}

impl<const D: usize> DecodedKind<D> {
    fn map(&self, f: impl Fn(Tensor<D>) -> Tensor<D>) -> Self {
        DecodedKind {
            mean: f(self.mean.clone()),
            log_std: f(self.log_std.clone()),
        }
    }

    fn cat<'a>(parts: impl Iterator<Item = &'a DecodedKind<D>> + Clone) -> Self {
        DecodedKind {
            mean: Tensor::cat(parts.clone().map(|k| k.mean.clone()).collect(), 0),
            log_std: Tensor::cat(parts.map(|k| k.log_std.clone()).collect(), 0),
        }
    }
}

impl Decoded {
    /// Groups `start..start + len` (the first axis), like [`Noise::groups`].
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// use hyperinterp_hvae::{Decoded, DecodedKind};
    /// let device = Device::default();
    /// let decoded = Decoded {
    ///     weight: DecodedKind { mean: Tensor::zeros([3, 2, 5, 4], &device), log_std: Tensor::zeros([3, 2, 5, 4], &device) },
    ///     bias: DecodedKind { mean: Tensor::zeros([3, 2, 5], &device), log_std: Tensor::zeros([3, 2, 5], &device) },
    ///     output_weight: DecodedKind { mean: Tensor::zeros([3, 2, 5], &device), log_std: Tensor::zeros([3, 2, 5], &device) },
    ///     output_bias: DecodedKind { mean: Tensor::zeros([3, 2], &device), log_std: Tensor::zeros([3, 2], &device) },
    /// };
    /// let parts = [decoded.groups(0, 1), decoded.groups(1, 2)];
    /// assert_eq!(parts[1].weight.mean.dims(), [2, 2, 5, 4]);
    /// assert_eq!(Decoded::cat_groups(&parts.iter().collect::<Vec<_>>()).output_bias.mean.dims(), [3, 2]);
    /// ```
    pub fn groups(&self, start: usize, len: usize) -> Decoded {
        Decoded {
            weight: self.weight.map(|t| t.narrow(0, start, len)),
            bias: self.bias.map(|t| t.narrow(0, start, len)),
            output_weight: self.output_weight.map(|t| t.narrow(0, start, len)),
            output_bias: self.output_bias.map(|t| t.narrow(0, start, len)),
        }
    }

    /// The groups of `parts`, in order, as one (the inverse of [`Decoded::groups`]).
    pub fn cat_groups(parts: &[&Decoded]) -> Decoded {
        Decoded {
            weight: DecodedKind::cat(parts.iter().map(|p| &p.weight)),
            bias: DecodedKind::cat(parts.iter().map(|p| &p.bias)),
            output_weight: DecodedKind::cat(parts.iter().map(|p| &p.output_weight)),
            output_bias: DecodedKind::cat(parts.iter().map(|p| &p.output_bias)),
        }
    }

    /// Squared distance in prior units to `target`, means and log-stds of
    /// every parameter, summed per network: `[G N]`. Gradients flow into
    /// `self` only, so it pulls the decoder toward a fixed target (e.g.
    /// [`crate::refine`]'s).
    pub fn squared_distance(&self, target: &Decoded) -> Tensor<1> {
        self.weighted_distance(target, [1.0; 4], true)
    }

    /// Squared distance of the means only, in the networks' own units (each
    /// kind's prior units times its prior std in `sigmas`), summed per
    /// network: `[G N]`; gradients flow into `self` only. Unlike
    /// [`Decoded::squared_distance`] it asks only what the network computes,
    /// not how sure it is: in prior units, under a wide weight prior the
    /// first layer's means are a small part of the distance and the
    /// log-stds most of it.
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// use hyperinterp_hvae::{Decoded, DecodedKind, PriorSigmas};
    /// let device = Device::default();
    /// let kind3 = |v: f32| DecodedKind { mean: Tensor::<3>::full([1, 1, 2], v, &device), log_std: Tensor::full([1, 1, 2], v, &device) };
    /// let network = |v: f32| Decoded {
    ///     weight: DecodedKind { mean: Tensor::full([1, 1, 2, 1], v, &device), log_std: Tensor::full([1, 1, 2, 1], v, &device) },
    ///     bias: kind3(v),
    ///     output_weight: kind3(v),
    ///     output_bias: DecodedKind { mean: Tensor::full([1, 1], v, &device), log_std: Tensor::full([1, 1], v, &device) },
    /// };
    /// let sigmas = PriorSigmas { weight: 10.0, bias: 1.0, output_weight: 1.0, output_bias: 1.0 };
    /// // Seven parameters one prior unit apart: two first-layer weights
    /// // count 10² each, the other five 1 each.
    /// let distance = network(1.0).squared_mean_distance(&network(0.0), &sigmas);
    /// assert_eq!(distance.into_data().to_vec::<f32>().unwrap(), vec![205.0]);
    /// ```
    pub fn squared_mean_distance(&self, target: &Decoded, sigmas: &PriorSigmas) -> Tensor<1> {
        let scales = [
            sigmas.weight,
            sigmas.bias,
            sigmas.output_weight,
            sigmas.output_bias,
        ];
        self.weighted_distance(target, scales, false)
    }

    /// Squared distance with each kind's means scaled by `scales` (weight,
    /// bias, output weight, output bias), log-stds included or not.
    fn weighted_distance(&self, target: &Decoded, scales: [f64; 4], log_stds: bool) -> Tensor<1> {
        fn part<const D: usize>(
            kind: &DecodedKind<D>,
            target: &DecodedKind<D>,
            scale: f64,
            log_stds: bool,
        ) -> Tensor<2> {
            let squared = |a: &Tensor<D>, b: &Tensor<D>| {
                per_network((a.clone() - b.clone().detach()).powf_scalar(2.0))
            };
            let means = squared(&kind.mean, &target.mean) * (scale * scale);
            if log_stds {
                means + squared(&kind.log_std, &target.log_std)
            } else {
                means
            }
        }
        (part(&self.weight, &target.weight, scales[0], log_stds)
            + part(&self.bias, &target.bias, scales[1], log_stds)
            + part(
                &self.output_weight,
                &target.output_weight,
                scales[2],
                log_stds,
            )
            + part(&self.output_bias, &target.output_bias, scales[3], log_stds))
        .flatten(0, 1)
    }

    /// Each network's weight KL (its description length, nats), `[G N]`,
    /// against the priors widened by `widths` ([`PriorWidths`]).
    pub fn weight_kl(&self, widths: &PriorWidths) -> Tensor<1> {
        fn part<const D: usize>(kind: &DecodedKind<D>, width: f64) -> Tensor<2> {
            per_network(normal_kl(kind.mean.clone(), kind.log_std.clone(), width))
        }
        (part(&self.weight, widths.weight)
            + part(&self.bias, widths.bias)
            + part(&self.output_weight, widths.output_weight)
            + part(&self.output_bias, widths.output_bias))
        .flatten(0, 1)
    }

    /// The mean networks (every parameter at its posterior mean), batch `[G, N]`.
    pub fn mean_networks(&self, config: &HypernetworkConfig) -> Result<MlpBatch> {
        networks_in_prior_units(
            self.weight.mean.clone(),
            self.bias.mean.clone(),
            self.output_weight.mean.clone(),
            self.output_bias.mean.clone(),
            config,
        )
    }
}

/// Networks from parameters in prior units (`W [G, N, m, n]`, `b`, `a`
/// `[G, N, m]`, `c [G, N]`): each scaled by its prior's std.
fn networks_in_prior_units(
    w: Tensor<4>,
    b: Tensor<3>,
    a: Tensor<3>,
    c: Tensor<2>,
    config: &HypernetworkConfig,
) -> Result<MlpBatch> {
    let [groups, networks, m, n] = w.dims();
    let batch = groups * networks;
    let sigma = config.priors.sigmas(Sizes::new(n, m)?);
    MlpBatch::new(
        (w * sigma.weight).reshape([batch, m, n]),
        (b * sigma.bias).reshape([batch, m]),
        (a * sigma.output_weight).reshape([batch, m]),
        (c * sigma.output_bias).reshape([batch]),
        config.activation,
        vec![groups, networks],
    )
}

/// One forward pass: networks, KL, and what analysis needs besides.
#[derive(Clone, Debug)]
pub struct Generation {
    /// Sampled and mean networks (batch `G × N`, `batch_shape = [G, N]`) and
    /// KL per network (flattened to `[G N]`).
    pub networks: GeneratedNetworks,
    /// Node KL of each layer's latent draw per network, `[G N]` each.
    pub node_kl_by_layer: Vec<Tensor<1>>,
    /// The decoder's raw output.
    pub decoded: Decoded,
}

fn split_last<const D: usize, const E: usize>(t: Tensor<D>) -> (Tensor<E>, Tensor<E>) {
    let mean = t.clone().narrow(D - 1, 0, 1).squeeze_dim(D - 1);
    let log_std = t.narrow(D - 1, 1, 1).squeeze_dim(D - 1);
    (mean, log_std.clamp(MIN_LOG_STD, MAX_LOG_STD))
}

/// The initial graph: node-type and edge-type embeddings plus the size
/// feature (zero if the config turns it off, clamped if it gives limits), and the hidden nodes' roles if
/// the config gives them.
fn initial_graph(
    set: &ParamSet,
    config: &HypernetworkConfig,
    groups: usize,
    networks: usize,
    sizes: Sizes,
) -> Result<MlpGraph> {
    let Sizes { n, m } = sizes;
    let roles = config.hidden_roles;
    let d = set.vector("embedding.input")?.dims()[1];
    let device = set.values()[0].device();
    // Zeros rather than no term, so the parameter set is the same either way.
    let logarithms = if config.size_features {
        let seen = config
            .size_feature_limits
            .map_or(sizes, |limits| limits.clamp(sizes));
        [(seen.n as f32).ln(), (seen.m as f32).ln()]
    } else {
        [0.0, 0.0]
    };
    let size_features: Tensor<3> = Tensor::<1>::from_floats(logarithms, &device)
        .reshape([1, 1, 2])
        .repeat_dim(0, groups);
    let size_term: Tensor<4> =
        linear(size_features, &set.matrix("embedding.sizes")?, None).unsqueeze_dim(1); // [G,1,1,d]
    let node = |name: &str, count: usize| -> Result<Tensor<4>> {
        Ok((per_group::<4>(&set.vector(name)?) + size_term.clone())
            .expand([groups, networks, count, d]))
    };
    let edge = |name: &str, rows: usize, cols: usize| -> Result<Tensor<5>> {
        let term: Tensor<5> = size_term.clone().unsqueeze_dim(1);
        Ok((per_group::<5>(&set.vector(name)?) + term).expand([groups, networks, rows, cols, d]))
    };
    let mut hidden = node("embedding.hidden", m)?;
    let mut input_hidden = edge("embedding.input_hidden", m, n)?;
    if roles.gives_sides() {
        let sides =
            Tensor::<1>::from_floats(roles.sides(m).as_slice(), &device).reshape([1, 1, m, 1]);
        hidden = hidden + per_group::<4>(&set.vector("embedding.side")?) * sides;
    }
    if roles == HiddenRoles::InputsAndSides {
        let own: Vec<f32> = roles
            .inputs(m, n)
            .into_iter()
            .flat_map(|input| (0..n).map(move |i| if input == Some(i) { 1.0 } else { 0.0 }))
            .collect();
        let own = Tensor::<1>::from_floats(own.as_slice(), &device).reshape([1, 1, m, n, 1]);
        input_hidden = input_hidden + per_group::<5>(&set.vector("embedding.own_input")?) * own;
    }
    if roles == HiddenRoles::RandomFeatures {
        let features = Tensor::<1>::from_floats(roles.random_features(n, m).as_slice(), &device)
            .reshape([1, m, RANDOM_FEATURES])
            .repeat_dim(0, groups);
        let term = linear(features, &set.matrix("embedding.random_features")?, None); // [G,m,d]
        hidden = hidden + term.unsqueeze_dim::<4>(1);
    }
    MlpGraph::new(
        vec![
            node("embedding.input", n)?,
            hidden,
            node("embedding.output", 1)?,
        ],
        vec![input_hidden, edge("embedding.hidden_output", 1, m)?],
    )
}

/// The transformer with a latent draw at every node after each layer, then
/// the decoders: `(decoded, node KL by layer [G, N])`.
pub(crate) fn encode_and_decode(
    set: &ParamSet,
    config: &HypernetworkConfig,
    noise: &Noise,
) -> Result<(Decoded, Vec<Tensor<2>>)> {
    let (groups, networks, sizes) = noise.shape();
    if set.groups() != groups && set.groups() != 1 {
        return Err(CoreError::config(
            "noise",
            format!(
                "drawn for {groups} groups but the parameters have {}",
                set.groups()
            ),
        ));
    }
    let mut graph = initial_graph(set, config, groups, networks, sizes)?;
    let mut node_kl_by_layer = Vec::with_capacity(config.graph.layers);
    for l in 0..config.graph.layers {
        graph = forward(
            &LayerParams::from_set(set, &config.graph, &format!("layers.{l}."))?,
            graph,
        );
        let prefix = format!("latent.{l}.");
        let norm = NormParams::from_set(set, &format!("{prefix}norm"))?;
        let mean_weight = set.matrix(&format!("{prefix}mean"))?;
        let mean_bias = set.vector(&format!("{prefix}mean_bias"))?;
        let log_std_weight = set.matrix(&format!("{prefix}log_std"))?;
        let log_std_bias = set.vector(&format!("{prefix}log_std_bias"))?;
        let inject = set.matrix(&format!("{prefix}inject"))?;
        let mut layer_kl: Option<Tensor<2>> = None;
        let nodes = graph
            .nodes
            .into_iter()
            .zip(&noise.latents[l])
            .map(|(h, eps)| {
                let normed = layer_norm(h.clone(), &norm);
                let mean = linear(normed.clone(), &mean_weight, Some(&mean_bias));
                let log_std = linear(normed, &log_std_weight, Some(&log_std_bias))
                    .clamp(MIN_LOG_STD, MAX_LOG_STD);
                let z = mean.clone() + log_std.clone().exp() * eps.clone();
                let kl = per_network(standard_normal_kl(mean, log_std));
                layer_kl = Some(match layer_kl.take() {
                    Some(total) => total + kl,
                    None => kl,
                });
                h + linear(z, &inject, None)
            })
            .collect();
        graph = MlpGraph {
            nodes,
            edges: graph.edges,
        };
        node_kl_by_layer.push(layer_kl.expect("a graph has node layers"));
    }
    debug_assert_eq!(graph.nodes.len(), NODE_LAYERS);
    let [inputs, hidden, output] = [0, 1, 2].map(|k| graph.nodes[k].clone());
    let [input_hidden, hidden_output] = [0, 1].map(|k| graph.edges[k].clone());
    let Sizes { n: _, m } = sizes;

    let (w_mean, w_log_std) = split_last::<5, 4>(edge_mlp(
        &EdgeMlpParams::from_set(set, "decoder.w.")?,
        input_hidden,
        hidden.clone(),
        inputs,
    ));
    let (a_mean, a_log_std): (Tensor<4>, Tensor<4>) = split_last::<5, 4>(edge_mlp(
        &EdgeMlpParams::from_set(set, "decoder.a.")?,
        hidden_output,
        output.clone(),
        hidden.clone(),
    ));
    let (b_mean, b_log_std) = split_last::<4, 3>(node_mlp(
        &NodeMlpParams::from_set(set, "decoder.b.")?,
        hidden,
    ));
    let (c_mean, c_log_std): (Tensor<3>, Tensor<3>) = split_last::<4, 3>(node_mlp(
        &NodeMlpParams::from_set(set, "decoder.c.")?,
        output,
    ));
    let decoded = Decoded {
        weight: DecodedKind {
            mean: w_mean,
            log_std: w_log_std,
        },
        bias: DecodedKind {
            mean: b_mean,
            log_std: b_log_std,
        },
        output_weight: DecodedKind {
            mean: a_mean.reshape([groups, networks, m]),
            log_std: a_log_std.reshape([groups, networks, m]),
        },
        output_bias: DecodedKind {
            mean: c_mean.reshape([groups, networks]),
            log_std: c_log_std.reshape([groups, networks]),
        },
    };
    Ok((decoded, node_kl_by_layer))
}

/// Generates `G × N` networks: parameters `set` (G groups, or one shared),
/// all randomness from `noise` (which fixes G, N and the sizes).
///
/// Every generated weight is `sigma0 · (mean + exp(log_std) · eps)` with the
/// decoder's mean and log-std in prior units; its KL against `N(0, sigma0^2)`
/// (widened by `config.kl_prior_widths`) is summed into the weight KL, the
/// network's description length.
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_core::Sizes;
/// use hyperinterp_graph_transformer::ParamSet;
/// use hyperinterp_hvae::{catalogue, generate, HypernetworkConfig, Noise};
/// let device = Device::default();
/// let config = HypernetworkConfig::default();
/// let set = ParamSet::initialise(&catalogue(&config), 2, 0, &device)?;
/// let noise = Noise::draw(&config, 2, 3, Sizes { n: 4, m: 12 }, 1, &device)?;
/// let out = generate(&set, &config, &noise)?;
/// assert_eq!(out.networks.sampled.len(), 6);
/// assert_eq!(out.networks.sampled.batch_shape, vec![2, 3]);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn generate(set: &ParamSet, config: &HypernetworkConfig, noise: &Noise) -> Result<Generation> {
    let (groups, networks, _) = noise.shape();
    let batch = groups * networks;
    let (decoded, node_kl_by_layer) = encode_and_decode(set, config, noise)?;
    let sample4 = |kind: &DecodedKind<4>, eps: &Tensor<4>| {
        kind.mean.clone() + kind.log_std.clone().exp() * eps.clone()
    };
    let sample3 = |kind: &DecodedKind<3>, eps: &Tensor<3>| {
        kind.mean.clone() + kind.log_std.clone().exp() * eps.clone()
    };
    let weight_kl = decoded.weight_kl(&config.kl_prior_widths);
    let c_sampled = decoded.output_bias.mean.clone()
        + decoded.output_bias.log_std.clone().exp() * noise.output_bias.clone();
    let sampled = networks_in_prior_units(
        sample4(&decoded.weight, &noise.weight),
        sample3(&decoded.bias, &noise.bias),
        sample3(&decoded.output_weight, &noise.output_weight),
        c_sampled,
        config,
    )?;
    let mean = decoded.mean_networks(config)?;
    let node_kl_by_layer: Vec<Tensor<1>> = node_kl_by_layer
        .into_iter()
        .map(|kl| kl.reshape([batch]))
        .collect();
    let node_kl = node_kl_by_layer
        .iter()
        .cloned()
        .reduce(|a, b| a + b)
        .unwrap_or_else(|| Tensor::zeros([batch], &noise.weight.device()));
    Ok(Generation {
        networks: GeneratedNetworks {
            sampled,
            mean,
            kl: Kl {
                node: node_kl,
                weight: weight_kl,
            },
        },
        node_kl_by_layer,
        decoded,
    })
}
