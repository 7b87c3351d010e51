//! The `hyperinterp` command (`cargo install --path .`, then
//! `hyperinterp --help`): see [`hyperinterp::cli`].

fn main() -> std::process::ExitCode {
    hyperinterp::cli::main_with(None)
}
