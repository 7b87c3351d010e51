//! The learning-rate schedule shared by every trainer in the workspace.

/// Linear warm-up over `warmup` steps to `peak`, then cosine decay to 0 at `total`.
///
/// ```
/// use hyperinterp_core::warmup_cosine;
/// assert_eq!(warmup_cosine(1.0, 0, 10, 100), 0.1);
/// assert_eq!(warmup_cosine(1.0, 9, 10, 100), 1.0);
/// assert!((warmup_cosine(1.0, 10, 10, 100) - 1.0).abs() < 1e-12);
/// assert!(warmup_cosine(1.0, 99, 10, 100) < 0.01);
/// ```
pub fn warmup_cosine(peak: f64, step: usize, warmup: usize, total: usize) -> f64 {
    if step < warmup {
        return peak * (step + 1) as f64 / warmup as f64;
    }
    let span = total.saturating_sub(warmup).max(1) as f64;
    let progress = ((step - warmup) as f64 / span).min(1.0);
    peak * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
}
