//! The main job: train the Pareto hyperhypernetwork on the L1 task, map the
//! algorithms it generates over beta, training time and unseen input sizes,
//! and write a report into `runs/discover/`. The same as `hyperinterp discover`:
//! `cargo run --release --example discover -- --help` lists the flags.

fn main() -> std::process::ExitCode {
    hyperinterp::cli::main_with(Some("discover"))
}
