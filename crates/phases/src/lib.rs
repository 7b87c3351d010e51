//! # hyperinterp-phases
//!
//! Names the algorithm a two-layer L1 network uses. From the weights alone
//! it computes order parameters — locality L, double-sidedness D, pudding
//! slope P, convex share K, and the per-neuron roles behind them — turns
//! them and the network's NMSE into one of six labels ([`Algorithm`]),
//! writes the algorithm as a formula a person can check against the weights
//! ([`describe`]), and gathers labels over beta and training steps into
//! [`PhaseTable`]s, the data behind every phase diagram. Plain Rust on
//! [`Mlp`](hyperinterp_core::Mlp): about 45 000 networks per second on one
//! core at (n, m) = (16, 48).
//!
//! ```
//! use hyperinterp_core::Sign;
//! use hyperinterp_phases::{classify, describe, Algorithm};
//! let net = hyperinterp_l1::spread_out_pudding(8, 24, Sign::Positive, 20.0, 1.0)?;
//! let result = classify(&net, 0.001)?;
//! assert_eq!(result.algorithm, Algorithm::Pudding(Sign::Positive));
//! let order = &result.order_parameters;
//! assert!(order.locality > 0.99 && order.double_sidedness == 0.0 && order.pudding_slope > 0.99);
//! assert_eq!(
//!     describe(&net)?,
//!     "pudding(+): 8 one-sided neurons 0.1·s(+20.0·x_i); linear pair 8, 9 adds -1.00·Σx; \
//!      14 unused [L 1.00, D 0.00, P 1.00]"
//! );
//! # Ok::<(), hyperinterp_core::CoreError>(())
//! ```
//!
//! ## The definitions, exactly
//!
//! Inputs are `x ~ N(0, I_n)`. Neuron `j` sees `u_j = W_j·x + b_j ~ N(b_j,
//! r_j²)`, `r_j = ||W_j||₂`; its expectations are one-dimensional integrals
//! over `z ~ N(0, 1)` with `u = b_j + r_j z`, computed by 48-point
//! Gauss–Hermite quadrature (nodes by Newton iteration at first use; the
//! output std is within 1% and `E act'` within 3e-3 of a fine reference,
//! sharp neurons included). Analysis runs in f64.
//!
//! * **bias z-score** `t_j = b_j / r_j` (0 when `r_j = 0`).
//! * **importance** `iota_j = |a_j| std(act(u_j))`; 0 for a neuron without
//!   input weights (a constant belongs to the output bias).
//! * **activation slope** `kappa_j = E[act'(u_j)]`, integrated in Stein's
//!   form `E[act(u_j) z] / r_j` (continuous, unlike `act'` of ReLU);
//!   **Stein slope** `g_j = a_j kappa_j W_j`, so `E[a_j act(u_j) x] = g_j`.
//! * **density** `delta_j = (PR_j − 1)/(n − 1)`, `PR_j = (Σ_i W_ji²)² / Σ_i
//!   W_ji⁴` (0 when `n = 1`).
//! * **significant**: with the floor `F = 0.02 · max(Σ_k iota_k, sqrt(n (1 −
//!   2/π)))`, sort importances ascending; the weakest neurons whose
//!   importances (ties taken together) sum to less than `F` are not
//!   significant, all others with `iota > 0` are.
//! * **local**: significant and `delta_j <= 0.25`; its **target** is
//!   `argmax_i |W_ji|` (lowest index on ties), its **side** the sign of that
//!   weight. **dense**: significant and not local. **always-on**: `t_j >=
//!   3`; **dead**: `t_j <= −3` (descriptive only).
//! * **one-sided**: local and not always-on (a kink inside the data on one
//!   input). **counterweight**: significant and dense or always-on.
//! * **ridge units**: neurons with `iota > 0` whose rows have `|cos| >=
//!   0.99` are linked; a unit is a connected component. Its members are
//!   treated as exactly parallel: `G(v) = Σ_j a_j act(σ_j r_j v + b_j)`,
//!   `v ~ N(0, 1)`, `σ_j` the sign of `W_j · W_first`. Its **nonlinear
//!   importance** `nu_U = sqrt(Var G − E[G v]²)` is the std of what no
//!   linear function of `x` explains; its **curvature** `h_U = E[G (v² −
//!   1)] = E[G'']`; its density the importance-weighted mean of its
//!   members'. A unit is significant if one of its neurons is.
//!
//! Over significant units `U`, inputs `i` and one-sided neurons `j`:
//!
//! * **Locality** `L = Σ_U nu_U (1 − delta_U) / Σ_U nu_U` (0 if no unit
//!   does nonlinear work).
//! * **Double-sidedness** `D = (1/n) Σ_i min(P_i+, P_i−) / max(P_i+, P_i−)`,
//!   `P_i±` the importance of one-sided neurons with target `i` on side ±
//!   (0/0 counts 0).
//! * **Pudding slope** `P = min(1, |(1/n) Σ_i side_i · c_i|)`: `side_i` the
//!   sign of the summed Stein slope of input `i`'s one-sided neurons (0 if
//!   none), `c_i` component `i` of the counterweights' summed Stein slopes.
//!   Flipping an input flips both factors.
//! * **Convex share** `K = Σ_U max(h_U, 0) / Σ_U |h_U|` (0 if 0).
//! * **Convex evidence** `Z = Σ_U h_U / sqrt(Σ_U h_U²)`: the z-score of the
//!   summed curvature under random read-out signs (≈ N(0, 1) for any number
//!   and sizes of units; k equal convex bumps give √k).
//! * **Convex evidence share** `Z / √k`, k the significant ridge units (1
//!   for k equal convex bumps; ≈ N(0, 1/k) under random signs).
//! * **Majority side**: the sign of `Σ_j iota_j side_j` (`Positive` on an
//!   exact tie, `None` without one-sided neurons): the pudding's sign.
//!
//! **Labels**, checked in this order: `Trivial` if NMSE >= 0.9, no neuron is
//! significant, or `Σ_U nu_U < F` (a linear network); `DoubleSided` if
//! L >= 0.8, D >= 0.7, P <= 0.3; `Pudding(majority side)` if L >= 0.8,
//! D <= 0.3, P >= 0.6; `Convexity` if K >= 0.8 and either L <= 0.5 or
//! (L <= 0.75 and (Z >= 4 or Z / √k >= 0.7)); otherwise
//! `Mixed`. Every threshold is a field of [`ClassifierConfig`]. L, D, P, K
//! and the labels (pudding sign aside) do not change when hidden neurons or
//! inputs are permuted, an input's sign is flipped with its weights, or
//! unused neurons are added (property-tested).
//!
//! ## Where this differs from docs/design.md §4, and the case that forced it
//!
//! 1. **Importance is centred** (`std(act)`, not `E|act|`). A pudding whose
//!    always-on bias is `C = 1000` (the paper's pudding is the limit `C →
//!    ∞`) had importance ~`C/alpha` in that one neuron: under the §4
//!    definitions it was the only significant neuron, L = 0, at n = 4, 8
//!    and 16. The std does not see `C`. The std rather than the mean
//!    absolute deviation because its integrand is smooth: quadrature error
//!    < 1% against 0.5–5% measured.
//! 2. **Significance is cumulative**, not per neuron. §3's convexity at m =
//!    256 spreads the work so that each neuron carries 1.0–1.5% of
//!    `std ||x||_1` (total importance ~3 std): under a 2% per-neuron rule
//!    no neuron was significant and the network `Trivial` at n = 4, 8, 16.
//! 3. **Locality is weighted by nonlinear importance of ridge units**. The
//!    spread-out pudding's dense pair `s(v)/alpha − s(−v)/alpha = v/alpha`
//!    is linear, but each of its neurons alone is not: with importance
//!    weights, L = 0.667 / 0.739 / 0.800 at n = 4 / 8 / 16, so at n = 4 and
//!    8 it was not a pudding, which §3 requires. As a unit its `nu` is 0
//!    and L = 1. The always-on exclusion of §4 follows from the same
//!    weighting (an always-on neuron is linear, `nu ≈ 0`).
//! 4. **Always-on local neurons are counterweights, not sides**: a pudding
//!    with one counterweight per input, `2 s(k x_i)/k + s(C − x_i)` (a case
//!    constructed for this crate), came out `Convexity` under §4 (only the
//!    always-on neurons significant), and `DoubleSided` with change 1 alone
//!    (its linear neurons counted as the other side of each input).
//! 5. **Convexity also needs convex share K >= 0.8** ("convex bumps"):
//!    random Gaussian networks judged by structure alone at n = 4, m = 12
//!    came out `Convexity` 10% of the time with L <= 0.5 only (0.7% with
//!    K), and `−1 ×` a convexity network (concave bumps) was `Convexity`.
//! 6. **A tie in the majority side counts as `Positive`**: the spread-out
//!    pudding at n = 8 with 4 of its 8 inputs flipped had no majority and
//!    came out `Mixed`, so flipping inputs changed the label's kind.
//!
//! 7. **Convexity up to L <= 0.75 when the evidence is strong** (Z >= 4):
//!    convexity with Gaussian rather than sign-vector directions has L ≈
//!    0.50 / 0.58 / 0.63 at n = 4 / 8 / 16 (a Gaussian row has density ≈
//!    1/3) and was `Mixed`; so were the sampled networks of a Pareto run at
//!    beta 2e-3–1.5e-2 (dense random features, positive read-out, L ≈ 0.62,
//!    K ≈ 0.9–1). Raising the bound alone labelled some random networks
//!    convexity (n = 8: L 0.52, K 0.89); their Z stayed below 3.8 in 18 000
//!    draws at n = 4, 8, 16, while Gaussian convexity at m = 3n has Z =
//!    4.2 / 6.4 at n = 8 / 16.
//!
//! 8. **Or when the evidence share is high** (Z / √k >= 0.7): Z grows as
//!    √k, so with k units it cannot pass √k, and Z >= 4 needs 16 or more.
//!    Over 20 seeds, Gaussian convexity at n = 4 (m = 12) scored Z
//!    2.66–3.33, at n = 6 3.00–3.85, and most were `Mixed`. So were the sampled
//!    networks of a Pareto run at n = 4 and 6 and beta 5.6e-3, with the
//!    same profile as those at n = 8 labelled convexity (L ≈ 0.62–0.66,
//!    K ≈ 1, Z / √k ≈ 0.8). Gaussian convexity at m = 3n scores Z / √k of
//!    at least 0.77 / 0.71 / 0.87 / 0.91 at n = 4 / 6 / 8 / 16. Random
//!    networks by structure alone pass K >= 0.8, L <= 0.75 and Z / √k >=
//!    0.7 in 0.7% of draws at n = 4 (where a few dense convex bumps are
//!    convexity by structure, see 5), 0.03–0.23% at n = 6, ≤ 0.03% at
//!    n = 8 and never at n = 16 (3000 draws per size and weight scale;
//!    `cargo run --release --example evidence_share` in the workspace).
//!
//! Known limits: ridge units treat near-parallel neurons as parallel; at
//! 10% weight noise the spread-out pudding's pair sometimes falls below
//! `|cos| = 0.99`, splits, and the network reads as `Mixed` (at 5% noise L
//! stays >= 0.95).

mod algorithm;
mod config;
mod describe;
mod order;
mod phase;
mod quadrature;

pub use algorithm::{Algorithm, Classification, Classifier, classify};
pub use config::ClassifierConfig;
pub use describe::describe;
pub use order::{InputSides, NeuronKind, NeuronRole, OrderParameters, RidgeUnit, order_parameters};
pub use phase::{LabelCounts, LabelFractions, PHASE_TABLE_FORMAT, PhaseRow, PhaseTable};
