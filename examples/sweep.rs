//! `discover` for several seeds, then their merge; the same as `hyperinterp sweep`
//! (`cargo run --release --example sweep -- --seeds 0,1,2,3,4`).

fn main() -> std::process::ExitCode {
    hyperinterp::cli::main_with(Some("sweep"))
}
