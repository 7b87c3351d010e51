//! Whether a run was *blind* or *guided*: what training was handed that was
//! derived from the task's hand-written solutions.
//!
//! A run is blind when nothing derived from the task's hand-written solutions
//! (their weights, their wiring or unit layout, their labels) enters training:
//! the generator's loss, its inputs or features, its initialisation.
//! Otherwise it is guided. Priors, sizes, the beta range and the architecture
//! are modelling choices, not guidance; a classifier used only to report is
//! not guidance either.

use serde::{Deserialize, Serialize};

/// What a run was given: `blind` exactly when `given` is empty.
///
/// Built by code from a run's effective configuration (for a Pareto run,
/// `hyperinterp_pareto::TrainerConfig::guidance`), never typed by hand, so
/// that a new kind of guidance cannot slip into a report unnamed.
///
/// ```
/// use hyperinterp_core::Guidance;
/// let blind = Guidance::from_given(Vec::new());
/// assert!(blind.blind);
/// let guided = Guidance::from_given(vec!["hidden units told their input and side".into()]);
/// assert!(!guided.blind);
/// assert!(guided.sentence().starts_with("Guided run"));
/// let json = serde_json::to_string(&guided).unwrap();
/// assert_eq!(json, r#"{"blind":false,"given":["hidden units told their input and side"]}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guidance {
    /// True when nothing derived from the task's hand-written solutions
    /// entered training.
    pub blind: bool,
    /// What training was handed, in plain words; empty for a blind run.
    pub given: Vec<String>,
}

impl Default for Guidance {
    /// A blind run.
    fn default() -> Self {
        Guidance::from_given(Vec::new())
    }
}

impl Guidance {
    /// The guidance of a run handed `given` (blind when it is empty).
    pub fn from_given(given: Vec<String>) -> Self {
        Guidance {
            blind: given.is_empty(),
            given,
        }
    }

    /// The guidance of a report written before guidance was recorded:
    /// unknown, so counted as guided.
    ///
    /// ```
    /// assert!(!hyperinterp_core::Guidance::unrecorded().blind);
    /// ```
    pub fn unrecorded() -> Self {
        Guidance::from_given(vec![
            "not recorded: the report was written before runs recorded their guidance".into(),
        ])
    }

    /// One sentence a non-expert understands: blind or guided, and what the
    /// generator was handed.
    ///
    /// ```
    /// let blind = hyperinterp_core::Guidance::default();
    /// assert!(blind.sentence().starts_with("Blind run"));
    /// ```
    pub fn sentence(&self) -> String {
        if self.blind {
            "Blind run: nothing derived from the task's hand-written solutions \
             entered training, so every algorithm below was found by the generator itself."
                .into()
        } else {
            format!(
                "Guided run: training was handed {}. The algorithms below were \
                 steered toward hand-written solutions, not discovered from scratch.",
                self.given.join("; ")
            )
        }
    }

    /// The guidance of runs pooled together: blind only if every one is,
    /// with every distinct line any of them was given.
    ///
    /// ```
    /// use hyperinterp_core::Guidance;
    /// let guided = Guidance::from_given(vec!["a teacher".into()]);
    /// let pooled = Guidance::pooled([&Guidance::default(), &guided, &guided]);
    /// assert_eq!(pooled, guided);
    /// assert!(Guidance::pooled([&Guidance::default()]).blind);
    /// ```
    pub fn pooled<'a>(runs: impl IntoIterator<Item = &'a Guidance>) -> Guidance {
        let mut given: Vec<String> = Vec::new();
        for run in runs {
            for line in &run.given {
                if !given.contains(line) {
                    given.push(line.clone());
                }
            }
        }
        Guidance::from_given(given)
    }
}
