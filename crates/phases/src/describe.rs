//! A network's algorithm as a formula a person can check against the weights.

use hyperinterp_core::{Activation, Mlp, Result, Sign};

use crate::algorithm::{Algorithm, Classifier};
use crate::order::{NeuronKind, OrderParameters};

/// A nonlinear-to-linear ratio below which a ridge unit counts as linear.
const LINEAR_UNIT_RATIO: f64 = 0.05;
/// Relative spread above which a group's range is printed next to its median.
const SPREAD: f64 = 0.1;

/// The network's algorithm written as a formula, e.g.
/// `pudding(-): 8 one-sided neurons 0.17·s(-11.8·x_i); always-on neuron 8
/// adds +1.00·Σx (bias 23.1); 15 unused [L 1.00, D 0.00, P 1.00]`.
///
/// The label is the structural one (as if the network were accurate: the
/// weights do not tell the NMSE). `s` is swish, `relu` ReLU; `x_i` with a
/// group means "for each input i of the group" and coefficients are the
/// group's medians, with the range in brackets when they vary by more than
/// 10%. An invalid network is an error.
///
/// ```
/// use hyperinterp_core::Sign;
/// let net = hyperinterp_l1::pudding(8, 24, Sign::Negative, 11.8, 1.0)?;
/// let text = hyperinterp_phases::describe(&net)?;
/// assert!(text.starts_with("pudding(-): 8 one-sided neurons 0.17·s(-11.8·x_i)"), "{text}");
/// assert!(text.contains("always-on neuron 8 adds +1.00·Σx (bias 22.0)"), "{text}");
/// assert!(text.contains("15 unused"), "{text}");
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn describe(mlp: &Mlp) -> Result<String> {
    Classifier::default().describe(mlp)
}

impl Classifier {
    /// [`describe`] under this classifier's thresholds.
    ///
    /// ```
    /// let net = hyperinterp_l1::double_sided(4, 8, 20.0)?;
    /// let text = hyperinterp_phases::Classifier::default().describe(&net)?;
    /// assert!(text.starts_with("double-sided: 4 pairs 0.05·s(+20.0·x_i) + 0.05·s(-20.0·x_i)"), "{text}");
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn describe(&self, mlp: &Mlp) -> Result<String> {
        let order = self.order_parameters(mlp)?;
        let label = self.label(&order, 0.0)?;
        Ok(write_description(mlp, &order, label))
    }
}

/// A number as a person writes it: three significant digits from 1 up
/// (`1.00`, `11.8`, `250`), two below 1 without trailing zeros (`0.17`,
/// `0.05`), an exponent outside [1e-3, 1e4).
fn number(x: f64) -> String {
    let magnitude = x.abs();
    if magnitude == 0.0 {
        "0".to_string()
    } else if !(1e-3..1e4).contains(&magnitude) {
        format!("{x:.1e}")
    } else if magnitude >= 100.0 {
        format!("{x:.0}")
    } else if magnitude >= 10.0 {
        format!("{x:.1}")
    } else if magnitude >= 1.0 {
        format!("{x:.2}")
    } else {
        let decimals = (1.0 - magnitude.log10().floor()) as usize;
        let text = format!("{x:.decimals$}");
        let text = text.trim_end_matches('0');
        text.trim_end_matches('.').to_string()
    }
}

/// [`number`] with an explicit `+` for positive values.
fn signed(x: f64) -> String {
    if x >= 0.0 {
        format!("+{}", number(x))
    } else {
        number(x)
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let k = values.len();
    if k == 0 {
        0.0
    } else if k % 2 == 1 {
        values[k / 2]
    } else {
        0.5 * (values[k / 2 - 1] + values[k / 2])
    }
}

/// The median of `values`, plus `" name lo..hi"` when they vary by more than [`SPREAD`].
fn typical(values: &[f64], name: &str, notes: &mut Vec<String>) -> f64 {
    let mut sorted = values.to_vec();
    let middle = median(&mut sorted);
    let (low, high) = (sorted[0], sorted[sorted.len() - 1]);
    if high - low > SPREAD * middle.abs().max(1e-12) {
        notes.push(format!("{name} {}..{}", number(low), number(high)));
    }
    middle
}

fn activation_symbol(activation: Activation) -> &'static str {
    match activation {
        Activation::Swish => "s",
        Activation::Relu => "relu",
    }
}

fn list(indices: &[usize]) -> String {
    const SHOWN: usize = 12;
    let mut text = indices
        .iter()
        .take(SHOWN)
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if indices.len() > SHOWN {
        text.push_str(", …");
    }
    text
}

/// `" on input 3"` or `" on inputs 0, 2, 5"`.
fn on_inputs(inputs: &[usize]) -> String {
    if inputs.len() == 1 {
        format!(" on input {}", inputs[0])
    } else {
        format!(" on inputs {}", list(inputs))
    }
}

/// A linear function `g · x` in words.
fn linear(g: &[f64]) -> String {
    let n = g.len();
    let norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
    if norm == 0.0 {
        return "nothing linear".to_string();
    }
    if n == 1 {
        return format!("{}·x_0", signed(g[0]));
    }
    let mean_abs = g.iter().map(|v| v.abs()).sum::<f64>() / n as f64;
    let (low, high) = g.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v.abs()), hi.max(v.abs()))
    });
    if high - low <= 0.15 * mean_abs {
        if g.iter().all(|v| *v > 0.0) {
            return format!("{}·Σx", signed(mean_abs));
        }
        if g.iter().all(|v| *v < 0.0) {
            return format!("{}·Σx", signed(-mean_abs));
        }
        let signs: String = g.iter().map(|v| if *v > 0.0 { '+' } else { '-' }).collect();
        return format!("{}·Σσ_i x_i with σ = {signs}", number(mean_abs));
    }
    let largest = (0..n)
        .max_by(|&i, &k| g[i].abs().total_cmp(&g[k].abs()))
        .expect("n >= 1");
    format!(
        "a linear term of norm {} (largest {}·x_{largest})",
        number(norm),
        signed(g[largest])
    )
}

/// One group of local neurons as `a·s(w·x_i + b)`, with the ranges of
/// coefficients that vary.
fn local_formula(mlp: &Mlp, neurons: &[(usize, usize)]) -> String {
    let mut notes = Vec::new();
    let notes = &mut notes;
    let a: Vec<f64> = neurons.iter().map(|&(j, _)| f64::from(mlp.a[j])).collect();
    let w: Vec<f64> = neurons
        .iter()
        .map(|&(j, i)| f64::from(mlp.row(j)[i]))
        .collect();
    let b: Vec<f64> = neurons.iter().map(|&(j, _)| f64::from(mlp.b[j])).collect();
    let a = typical(&a, "a", notes);
    let w = typical(&w, "w", notes);
    let largest_bias = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let bias = if largest_bias > 0.01 * w.abs() {
        let b = typical(&b, "b", notes);
        format!(" {} {}", if b < 0.0 { '-' } else { '+' }, number(b.abs()))
    } else {
        String::new()
    };
    let formula = format!(
        "{}·{}({}·x_i{bias})",
        number(a),
        activation_symbol(mlp.activation),
        signed(w)
    );
    with_notes(formula, std::mem::take(notes))
}

fn with_notes(text: String, notes: Vec<String>) -> String {
    if notes.is_empty() {
        text
    } else {
        format!("{text} ({})", notes.join(", "))
    }
}

pub(crate) fn write_description(mlp: &Mlp, order: &OrderParameters, label: Algorithm) -> String {
    let n = mlp.n;
    let mut parts: Vec<String> = Vec::new();
    let slope = |j: usize| -> Vec<f64> {
        let scale = f64::from(mlp.a[j]) * order.neurons[j].activation_slope;
        mlp.row(j).iter().map(|w| scale * f64::from(*w)).collect()
    };
    let add = |total: &mut Vec<f64>, g: Vec<f64>| {
        for (t, v) in total.iter_mut().zip(g) {
            *t += v;
        }
    };

    // One-sided neurons, by input and side.
    let mut by_input: Vec<[Vec<usize>; 2]> = vec![[Vec::new(), Vec::new()]; n];
    for (j, role) in order.neurons.iter().enumerate() {
        if let (true, Some((target, side))) = (role.is_one_sided(), role.local()) {
            by_input[target][usize::from(side == Sign::Negative)].push(j);
        }
    }
    let paired: Vec<usize> = (0..n)
        .filter(|&i| !by_input[i][0].is_empty() && !by_input[i][1].is_empty())
        .collect();
    if !paired.is_empty() {
        let halves: Vec<String> = [0, 1]
            .into_iter()
            .map(|side| {
                let neurons: Vec<(usize, usize)> = paired
                    .iter()
                    .flat_map(|&i| by_input[i][side].iter().map(move |&j| (j, i)))
                    .collect();
                local_formula(mlp, &neurons)
            })
            .collect();
        let one_each = paired
            .iter()
            .all(|&i| by_input[i][0].len() == 1 && by_input[i][1].len() == 1);
        let count = if one_each {
            format!("{} pairs", paired.len())
        } else {
            let neurons: usize = paired
                .iter()
                .map(|&i| by_input[i][0].len() + by_input[i][1].len())
                .sum();
            format!(
                "{} inputs read on both sides by {neurons} neurons",
                paired.len()
            )
        };
        let inputs = if paired.len() == n {
            String::new()
        } else {
            on_inputs(&paired)
        };
        parts.push(format!("{count} {} + {}{inputs}", halves[0], halves[1]));
    }
    for side in 0..2 {
        let inputs: Vec<usize> = (0..n)
            .filter(|&i| !by_input[i][side].is_empty() && by_input[i][1 - side].is_empty())
            .collect();
        if inputs.is_empty() {
            continue;
        }
        let neurons: Vec<(usize, usize)> = inputs
            .iter()
            .flat_map(|&i| by_input[i][side].iter().map(move |&j| (j, i)))
            .collect();
        let formula = local_formula(mlp, &neurons);
        let coverage = if inputs.len() == n && neurons.len() == n {
            String::new()
        } else {
            on_inputs(&inputs)
        };
        let noun = if neurons.len() == 1 {
            "neuron"
        } else {
            "neurons"
        };
        parts.push(format!(
            "{} one-sided {noun} {formula}{coverage}",
            neurons.len()
        ));
    }

    // Always-on neurons: linear carriers with a large bias.
    let always_on: Vec<usize> = (0..mlp.m)
        .filter(|&j| order.neurons[j].always_on && order.neurons[j].is_significant())
        .collect();
    if always_on.len() <= 3 {
        for &j in &always_on {
            parts.push(format!(
                "always-on neuron {j} adds {} (bias {})",
                linear(&slope(j)),
                number(f64::from(mlp.b[j]))
            ));
        }
    } else {
        let mut total = vec![0.0; n];
        for &j in &always_on {
            add(&mut total, slope(j));
        }
        parts.push(format!(
            "{} always-on neurons {} add {}",
            always_on.len(),
            list(&always_on),
            linear(&total)
        ));
    }

    // Linear ridge units (e.g. s(v) - s(-v) = v) among the remaining dense neurons.
    let mut in_linear_unit = vec![false; mlp.m];
    for (index, unit) in order.units.iter().enumerate() {
        if unit.size < 2
            || !unit.significant
            || unit.nonlinear_importance > LINEAR_UNIT_RATIO * unit.linear_importance
        {
            continue;
        }
        let members: Vec<usize> = (unit.first..mlp.m)
            .filter(|&j| order.neurons[j].unit == index && !order.neurons[j].always_on)
            .filter(|&j| !order.neurons[j].is_one_sided())
            .collect();
        if members.len() < 2 {
            continue;
        }
        let mut total = vec![0.0; n];
        for &j in &members {
            in_linear_unit[j] = true;
            add(&mut total, slope(j));
        }
        let noun = if members.len() == 2 { "pair" } else { "group" };
        parts.push(format!(
            "linear {noun} {} adds {}",
            list(&members),
            linear(&total)
        ));
    }

    // The other dense neurons.
    let dense: Vec<usize> = (0..mlp.m)
        .filter(|&j| {
            let role = &order.neurons[j];
            role.kind == NeuronKind::Dense && !role.always_on && !in_linear_unit[j]
        })
        .collect();
    if !dense.is_empty() {
        let mut total = vec![0.0; n];
        let mut inputs_read = 0.0;
        for &j in &dense {
            add(&mut total, slope(j));
            inputs_read += 1.0 + order.neurons[j].density * (n as f64 - 1.0);
        }
        let a: Vec<f64> = dense.iter().map(|&j| f64::from(mlp.a[j])).collect();
        let (low, high) = a
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(*v), hi.max(*v))
            });
        let a_text = if high - low <= SPREAD * high.abs().max(low.abs()) {
            format!("a {}", number(0.5 * (low + high)))
        } else {
            format!("a {}..{}", number(low), number(high))
        };
        let symbol = activation_symbol(mlp.activation);
        let inputs_read = inputs_read / dense.len() as f64;
        parts.push(if let [j] = dense[..] {
            format!(
                "dense neuron {j} a·{symbol}(W·x + b) reading ~{inputs_read:.1} inputs ({a_text}), adding {}",
                linear(&total)
            )
        } else {
            format!(
                "{} dense neurons Σ a_j·{symbol}(W_j·x + b_j) reading ~{inputs_read:.1} inputs each ({a_text}), adding {}",
                dense.len(),
                linear(&total)
            )
        });
    }

    let unused = order.count_unused();
    if unused > 0 {
        parts.push(format!("{unused} unused"));
    }
    if !order.has_work() {
        parts.insert(0, "no neuron does nonlinear work".to_string());
    }
    format!(
        "{}: {} [L {:.2}, D {:.2}, P {:.2}]",
        label.short_name(),
        parts.join("; "),
        order.locality,
        order.double_sidedness,
        order.pudding_slope
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(number(0.1695), "0.17");
        assert_eq!(number(-11.8), "-11.8");
        assert_eq!(number(23.06), "23.1");
        assert_eq!(number(0.05), "0.05");
        assert_eq!(number(0.0123), "0.012");
        assert_eq!(number(0.999), "1");
        assert_eq!(number(250.4), "250");
        assert_eq!(number(2e-5), "2.0e-5");
        assert_eq!(signed(1.0), "+1.00");
    }

    #[test]
    fn linear_terms_are_named_by_shape() {
        assert_eq!(linear(&[1.0, 1.02, 0.98]), "+1.00·Σx");
        assert_eq!(linear(&[-1.0, -1.0]), "-1.00·Σx");
        assert_eq!(linear(&[1.0, -1.0, 1.0]), "1.00·Σσ_i x_i with σ = +-+");
        assert_eq!(
            linear(&[0.1, 2.0, 0.0]),
            "a linear term of norm 2.00 (largest +2.00·x_1)"
        );
        assert_eq!(linear(&[0.0, 0.0]), "nothing linear");
    }
}
