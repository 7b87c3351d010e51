//! Names the algorithm of each network in JSON or safetensors files; the same
//! as `hyperinterp classify` (`cargo run --release --example classify -- --demo`).

fn main() -> std::process::ExitCode {
    hyperinterp::cli::main_with(Some("classify"))
}
