//! A trained model's networks at chosen betas, written to safetensors or JSON;
//! the same as `hyperinterp generate` (`cargo run --release --example generate --
//! runs/discover/checkpoint.safetensors --betas 1e-6,3e-3 --n 8`).

fn main() -> std::process::ExitCode {
    hyperinterp::cli::main_with(Some("generate"))
}
