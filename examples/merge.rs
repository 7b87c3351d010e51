//! Seed statistics from several `report.json`; the same as `hyperinterp merge`
//! (`cargo run --release --example merge -- runs/sweep/seed-*`).

fn main() -> std::process::ExitCode {
    hyperinterp::cli::main_with(Some("merge"))
}
