//! `hyperinterp sweep --slurm`: a sweep as Slurm jobs. Writes, under
//! `<out>/slurm/`, a job-array script with one task per seed (each runs
//! `hyperinterp discover` into `<out>/seed-<s>/`, resumable), a merge
//! script that writes `<out>/merged.json`, and `submit.sh`, which submits
//! the array and then the merge with a dependency on it (`afterok`: the
//! merge runs once every seed has finished). Slurm does the scheduling;
//! nothing here waits or polls.
//!
//! ```
//! use clap::Parser;
//! use hyperinterp::cli::{Cli, Command};
//! let cli = Cli::try_parse_from([
//!     "hyperinterp", "sweep", "--quick", "--seeds", "0,1,2", "--out", "runs/s",
//!     "--slurm", "--slurm-partition", "gpu", "--slurm-gpus", "1", "--slurm-binary", "/opt/hyperinterp",
//! ]).unwrap();
//! let Command::Sweep(args) = cli.command else { unreachable!() };
//! let scripts = hyperinterp::cli::slurm::scripts(&args, "/opt/hyperinterp".as_ref(), "/home/me".as_ref())?;
//! assert!(scripts.array.contains("#SBATCH --array=0-2"));
//! assert!(scripts.array.contains("#SBATCH --partition=gpu"));
//! assert!(scripts.array.contains("#SBATCH --gpus-per-task=1"));
//! assert!(scripts.merge.contains("merge runs/s/seed-0 runs/s/seed-1 runs/s/seed-2"));
//! assert!(scripts.submit.contains("--dependency=afterok:"));
//! # Ok::<(), hyperinterp_core::CoreError>(())
//! ```

use std::path::{Path, PathBuf};

use clap::Args;
use hyperinterp_core::{CoreError, Result, export::write_atomic};

use super::sweep::SweepArgs;

/// The Slurm settings of `sweep --slurm`.
#[derive(Args, Debug, Clone, Default)]
pub struct SlurmArgs {
    /// Write Slurm job scripts into <out>/slurm instead of running the seeds
    /// here: a job array (one task per seed) and a merge that waits for it.
    #[arg(long, conflicts_with = "print")]
    pub slurm: bool,
    /// With --slurm: submit them with sbatch at once (`<out>/slurm/submit.sh`).
    #[arg(long, requires = "slurm")]
    pub submit: bool,
    /// Partition of every job (`sbatch --partition`); the cluster's default if none.
    #[arg(long, requires = "slurm")]
    pub slurm_partition: Option<String>,
    /// Time limit of each seed's task (`sbatch --time`, e.g. 01:00:00).
    #[arg(long, requires = "slurm")]
    pub slurm_time: Option<String>,
    /// CPU cores per seed's task (`--cpus-per-task`; the trainer's shards use them).
    #[arg(long, requires = "slurm", default_value_t = 2)]
    pub slurm_cpus: usize,
    /// GPUs per seed's task (`--gpus-per-task`; with `--backend wgpu`).
    #[arg(long, requires = "slurm")]
    pub slurm_gpus: Option<usize>,
    /// Any other `#SBATCH` option for the seeds' tasks, as written after
    /// `#SBATCH` (repeatable, e.g. `--slurm-option=--account=lab`).
    #[arg(long, requires = "slurm", allow_hyphen_values = true)]
    pub slurm_option: Vec<String>,
    /// The `hyperinterp` binary the jobs run (an absolute path every node
    /// can read); default: this program if it is `hyperinterp`, else the
    /// `hyperinterp` beside it or one folder up (cargo's layout for
    /// examples).
    #[arg(long, requires = "slurm")]
    pub slurm_binary: Option<PathBuf>,
}

/// The three files `sweep --slurm` writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlurmScripts {
    /// `seeds.sbatch`: the job array.
    pub array: String,
    /// `merge.sbatch`: the merge of the seeds' reports.
    pub merge: String,
    /// `submit.sh`: submits both, the merge after the array.
    pub submit: String,
}

fn quote(text: &str) -> Result<String> {
    shlex::try_quote(text)
        .map(|quoted| quoted.into_owned())
        .map_err(|error| CoreError::config("sweep --slurm", error.to_string()))
}

fn quote_path(path: &Path) -> Result<String> {
    quote(&path.to_string_lossy())
}

/// The scripts for `args` (its seeds, output folder, configuration and
/// Slurm settings), running `binary` from the folder `workdir` (relative
/// paths in `args` are read from there).
pub fn scripts(args: &SweepArgs, binary: &Path, workdir: &Path) -> Result<SlurmScripts> {
    if args.seeds.is_empty() {
        return Err(CoreError::config("--seeds", "no seeds to run"));
    }
    let slurm = &args.slurm;
    let out = quote_path(&args.out)?;
    let logs = args.out.join("slurm");
    let mut header = vec![format!("--chdir={}", quote_path(workdir)?)];
    if let Some(partition) = &slurm.slurm_partition {
        header.push(format!("--partition={}", quote(partition)?));
    }
    let mut array = vec![
        "#!/bin/bash".to_string(),
        "# Written by `hyperinterp sweep --slurm`: one array task per seed.".to_string(),
        "#SBATCH --job-name=hyperinterp-seeds".to_string(),
        format!("#SBATCH --array=0-{}", args.seeds.len() - 1),
        format!(
            "#SBATCH --output={}",
            quote_path(&logs.join("seed-task-%a.log"))?
        ),
        format!("#SBATCH --cpus-per-task={}", slurm.slurm_cpus.max(1)),
    ];
    array.extend(header.iter().map(|line| format!("#SBATCH {line}")));
    if let Some(time) = &slurm.slurm_time {
        array.push(format!("#SBATCH --time={}", quote(time)?));
    }
    if let Some(gpus) = slurm.slurm_gpus {
        array.push(format!("#SBATCH --gpus-per-task={gpus}"));
    }
    for option in &slurm.slurm_option {
        array.push(format!("#SBATCH {option}"));
    }
    let seeds: Vec<String> = args.seeds.iter().map(u64::to_string).collect();
    let mut discover = format!(
        "exec {} discover --seed \"$seed\" --out {out}/seed-\"$seed\" --backend {} --resume",
        quote_path(binary)?,
        quote(&args.backend)?
    );
    if let Some(config) = &args.config {
        discover.push_str(&format!(" --config {}", quote_path(config)?));
    }
    if args.quick {
        discover.push_str(" --quick");
    }
    array.extend([
        "set -euo pipefail".to_string(),
        format!("seeds=({})", seeds.join(" ")),
        "seed=${seeds[$SLURM_ARRAY_TASK_ID]}".to_string(),
        discover,
    ]);
    let mut merge = vec![
        "#!/bin/bash".to_string(),
        "# Written by `hyperinterp sweep --slurm`: merges the seeds' reports.".to_string(),
        "#SBATCH --job-name=hyperinterp-merge".to_string(),
        format!("#SBATCH --output={}", quote_path(&logs.join("merge.log"))?),
        "#SBATCH --cpus-per-task=1".to_string(),
    ];
    merge.extend(header.iter().map(|line| format!("#SBATCH {line}")));
    let folders: Vec<String> = seeds
        .iter()
        .map(|seed| format!("{out}/seed-{seed}"))
        .collect();
    merge.push(format!(
        "exec {} merge {} --out {out}/merged.json",
        quote_path(binary)?,
        folders.join(" ")
    ));
    let submit = [
        "#!/bin/sh",
        "# Written by `hyperinterp sweep --slurm`: submits the seeds, then their merge.",
        "set -eu",
        "here=$(dirname \"$0\")",
        "array=$(sbatch --parsable \"$here/seeds.sbatch\")",
        "merge=$(sbatch --parsable --dependency=afterok:\"${array%%;*}\" \"$here/merge.sbatch\")",
        "echo \"submitted: seeds ${array%%;*}, merge ${merge%%;*}\"",
    ];
    Ok(SlurmScripts {
        array: array.join("\n") + "\n",
        merge: merge.join("\n") + "\n",
        submit: submit.join("\n") + "\n",
    })
}

/// The `hyperinterp` binary the jobs run: `--slurm-binary`, else this
/// program if it is `hyperinterp`, else the one beside it or a folder up.
fn binary(args: &SweepArgs) -> Result<PathBuf> {
    if let Some(path) = &args.slurm.slurm_binary {
        return std::path::absolute(path).map_err(|source| CoreError::Io {
            path: path.clone(),
            source,
        });
    }
    let current = std::env::current_exe().map_err(|source| CoreError::Io {
        path: PathBuf::from("(this program)"),
        source,
    })?;
    let name = format!("hyperinterp{}", std::env::consts::EXE_SUFFIX);
    let folder = current.parent().unwrap_or(Path::new("."));
    [
        Some(current.clone()).filter(|path| path.file_name() == Some(name.as_ref())),
        Some(folder.join(&name)),
        folder.parent().map(|up| up.join(&name)),
    ]
    .into_iter()
    .flatten()
    .find(|path| path.is_file())
    .ok_or_else(|| {
        CoreError::config(
            "--slurm-binary",
            "no `hyperinterp` binary beside this program: build it (cargo build --release) and name it",
        )
    })
}

/// Writes the scripts under `<out>/slurm/` and, with `--submit`, runs
/// `submit.sh`.
pub fn run(args: &SweepArgs) -> Result<()> {
    let workdir = std::env::current_dir().map_err(|source| CoreError::Io {
        path: PathBuf::from("."),
        source,
    })?;
    let scripts = scripts(args, &binary(args)?, &workdir)?;
    let folder = args.out.join("slurm");
    std::fs::create_dir_all(&folder).map_err(|source| CoreError::Io {
        path: folder.clone(),
        source,
    })?;
    for (name, text) in [
        ("seeds.sbatch", &scripts.array),
        ("merge.sbatch", &scripts.merge),
        ("submit.sh", &scripts.submit),
    ] {
        write_atomic(&folder.join(name), text.as_bytes())?;
    }
    let submit = folder.join("submit.sh");
    if !args.slurm.submit {
        println!(
            "wrote {}; submit with: sh {}",
            folder.display(),
            submit.display()
        );
        return Ok(());
    }
    // The system's shell by its path, so that a PATH without Slurm still
    // runs the script (which then says what is missing).
    let shell = Path::new("/bin/sh");
    let status = std::process::Command::new(if shell.exists() {
        shell
    } else {
        Path::new("sh")
    })
    .arg(&submit)
    .status()
    .map_err(|source| CoreError::Io {
        path: submit.clone(),
        source,
    })?;
    if !status.success() {
        return Err(CoreError::config(
            "--submit",
            format!(
                "{} failed ({status}): is Slurm's sbatch on the PATH?",
                submit.display()
            ),
        ));
    }
    Ok(())
}
