//! Export and import of networks as JSON and as safetensors, formats Python
//! reads without this project.
//!
//! **JSON**: `{"format": "hyperinterp-mlp", "version": 1, "networks": [{"n", "m",
//! "activation": "swish"|"relu", "w": [[..n..] x m], "b": [m], "a": [m], "c"}]}`.
//!
//! **safetensors**: network `k` is stored as tensors `net{k}.w` `[m, n]`,
//! `net{k}.b` `[m]`, `net{k}.a` `[m]`, `net{k}.c` `[1]`, all F32; the header
//! metadata holds `format = hyperinterp-mlp`, `count`, and `net{k}.activation`
//! (absent activation means swish, so files written from Python need only the tensors).
//!
//! ```
//! use hyperinterp_core::{export, Mlp};
//! let nets = vec![Mlp::zeros(2, 3, Default::default())?];
//! let bytes = export::to_safetensors_bytes(&nets)?;
//! assert_eq!(export::from_safetensors_bytes(&bytes)?, nets);
//! let text = export::to_json_string(&nets)?;
//! assert_eq!(export::from_json_str(&text)?, nets);
//! # Ok::<(), hyperinterp_core::CoreError>(())
//! ```

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::mlp::{Activation, Mlp};

/// The `format` tag written in both formats.
pub const FORMAT: &str = "hyperinterp-mlp";
/// The format version written in both formats.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct JsonDocument {
    format: String,
    version: u32,
    networks: Vec<JsonNetwork>,
}

#[derive(Serialize, Deserialize)]
struct JsonNetwork {
    n: usize,
    m: usize,
    #[serde(default)]
    activation: Activation,
    w: Vec<Vec<f32>>,
    b: Vec<f32>,
    a: Vec<f32>,
    c: f32,
}

/// Networks as a pretty-printed JSON document (validated first).
pub fn to_json_string(mlps: &[Mlp]) -> Result<String> {
    let networks = mlps
        .iter()
        .map(|mlp| {
            mlp.validate()?;
            Ok(JsonNetwork {
                n: mlp.n,
                m: mlp.m,
                activation: mlp.activation,
                w: mlp.w.chunks_exact(mlp.n).map(<[f32]>::to_vec).collect(),
                b: mlp.b.clone(),
                a: mlp.a.clone(),
                c: mlp.c,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let doc = JsonDocument {
        format: FORMAT.to_string(),
        version: VERSION,
        networks,
    };
    Ok(serde_json::to_string_pretty(&doc)?)
}

/// Parses a JSON document written by [`to_json_string`]; every network is validated.
///
/// ```
/// use hyperinterp_core::{export, CoreError};
/// let bad = r#"{"format":"hyperinterp-mlp","version":1,"networks":[
///   {"n":2,"m":1,"w":[[1.0]],"b":[0.0],"a":[1.0],"c":0.0}]}"#;
/// assert!(matches!(export::from_json_str(bad), Err(CoreError::ShapeMismatch { .. })));
/// assert!(matches!(export::from_json_str("{\"format\":"), Err(CoreError::Json(_))));
/// ```
pub fn from_json_str(text: &str) -> Result<Vec<Mlp>> {
    let doc: JsonDocument = serde_json::from_str(text)?;
    if doc.format != FORMAT {
        return Err(CoreError::config(
            "format",
            format!("must be {FORMAT:?}, got {:?}", doc.format),
        ));
    }
    doc.networks
        .into_iter()
        .enumerate()
        .map(|(k, net)| {
            if let Some(row) = net.w.iter().find(|row| row.len() != net.n) {
                return Err(CoreError::ShapeMismatch {
                    field: format!("networks[{k}].w"),
                    expected: vec![net.m, net.n],
                    found: vec![net.w.len(), row.len()],
                });
            }
            let rows = net.w.len();
            let w: Vec<f32> = net.w.into_iter().flatten().collect();
            let mlp = Mlp {
                n: net.n,
                m: net.m,
                w,
                b: net.b,
                a: net.a,
                c: net.c,
                activation: net.activation,
            };
            mlp.validate().map_err(|e| match e {
                CoreError::ShapeMismatch {
                    field, expected, ..
                } if field == "w" => CoreError::ShapeMismatch {
                    field: format!("networks[{k}].w"),
                    expected,
                    found: vec![rows, mlp.n],
                },
                other => other.within(&format!("networks[{k}].")),
            })?;
            Ok(mlp)
        })
        .collect()
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Networks as the bytes of a safetensors file (validated first).
pub fn to_safetensors_bytes(mlps: &[Mlp]) -> Result<Vec<u8>> {
    let mut buffers: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::with_capacity(4 * mlps.len());
    let mut metadata = HashMap::from([
        ("format".to_string(), FORMAT.to_string()),
        ("version".to_string(), VERSION.to_string()),
        ("count".to_string(), mlps.len().to_string()),
    ]);
    for (k, mlp) in mlps.iter().enumerate() {
        mlp.validate()?;
        buffers.push((format!("net{k}.w"), vec![mlp.m, mlp.n], f32_bytes(&mlp.w)));
        buffers.push((format!("net{k}.b"), vec![mlp.m], f32_bytes(&mlp.b)));
        buffers.push((format!("net{k}.a"), vec![mlp.m], f32_bytes(&mlp.a)));
        buffers.push((format!("net{k}.c"), vec![1], f32_bytes(&[mlp.c])));
        metadata.insert(
            format!("net{k}.activation"),
            mlp.activation.name().to_string(),
        );
    }
    let views = buffers
        .iter()
        .map(|(name, shape, bytes)| {
            TensorView::new(Dtype::F32, shape.clone(), bytes)
                .map(|view| (name.clone(), view))
                .map_err(|e| CoreError::Safetensors(e.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;
    safetensors::serialize(views, Some(metadata)).map_err(|e| CoreError::Safetensors(e.to_string()))
}

/// Parses safetensors bytes in the layout above; every network is validated.
///
/// The network count comes from the `count` metadata, or, for files written
/// without it, from the consecutive `net{k}.w` tensors present.
pub fn from_safetensors_bytes(bytes: &[u8]) -> Result<Vec<Mlp>> {
    let tensors =
        SafeTensors::deserialize(bytes).map_err(|e| CoreError::Safetensors(e.to_string()))?;
    let (_, header) =
        SafeTensors::read_metadata(bytes).map_err(|e| CoreError::Safetensors(e.to_string()))?;
    let metadata = header.metadata().clone().unwrap_or_default();
    let count = match metadata.get("count") {
        Some(text) => text.parse::<usize>().map_err(|_| {
            CoreError::Safetensors(format!("metadata `count` is not a number: {text:?}"))
        })?,
        None => (0..)
            .take_while(|k| tensors.tensor(&format!("net{k}.w")).is_ok())
            .count(),
    };
    let read = |name: String| -> Result<(Vec<usize>, Vec<f32>)> {
        let view = tensors
            .tensor(&name)
            .map_err(|_| CoreError::MissingTensor { name: name.clone() })?;
        if view.dtype() != Dtype::F32 {
            return Err(CoreError::WrongDtype {
                name,
                dtype: format!("{:?}", view.dtype()),
            });
        }
        let values = view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Ok((view.shape().to_vec(), values))
    };
    (0..count)
        .map(|k| {
            let (w_shape, w) = read(format!("net{k}.w"))?;
            let [m, n] = w_shape[..] else {
                return Err(CoreError::ShapeMismatch {
                    field: format!("net{k}.w"),
                    expected: vec![0, 0],
                    found: w_shape,
                });
            };
            let expect = |part: &str, expected: Vec<usize>| -> Result<Vec<f32>> {
                let name = format!("net{k}.{part}");
                let (shape, values) = read(name.clone())?;
                if shape != expected {
                    return Err(CoreError::ShapeMismatch {
                        field: name,
                        expected,
                        found: shape,
                    });
                }
                Ok(values)
            };
            let b = expect("b", vec![m])?;
            let a = expect("a", vec![m])?;
            let c = expect("c", vec![1])?[0];
            let activation = match metadata.get(&format!("net{k}.activation")) {
                Some(name) => Activation::from_name(name)?,
                None => Activation::Swish,
            };
            Mlp::new(n, m, w, b, a, c, activation).map_err(|e| e.within(&format!("net{k}.")))
        })
        .collect()
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// then a rename, so a crash never leaves a half-written file behind.
///
/// ```
/// let dir = std::env::temp_dir().join("hyperinterp-doc-atomic");
/// std::fs::create_dir_all(&dir).unwrap();
/// hyperinterp_core::export::write_atomic(&dir.join("x.txt"), b"hello")?;
/// assert_eq!(std::fs::read(dir.join("x.txt")).unwrap(), b"hello");
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let file_name = path
        .file_name()
        .ok_or_else(|| CoreError::config("path", format!("{} names no file", path.display())))?;
    let temporary = path.with_file_name(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&temporary, bytes).map_err(|e| CoreError::io(&temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        CoreError::io(path, e)
    })
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| CoreError::io(path, e))
}

/// Saves networks as JSON (atomically).
pub fn save_json(path: &Path, mlps: &[Mlp]) -> Result<()> {
    write_atomic(path, to_json_string(mlps)?.as_bytes())
}

/// Loads networks from a JSON file.
pub fn load_json(path: &Path) -> Result<Vec<Mlp>> {
    let bytes = read_file(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| CoreError::config("file", format!("{} is not UTF-8: {e}", path.display())))?;
    from_json_str(&text)
}

/// Saves networks as safetensors (atomically).
pub fn save_safetensors(path: &Path, mlps: &[Mlp]) -> Result<()> {
    write_atomic(path, &to_safetensors_bytes(mlps)?)
}

/// Loads networks from a safetensors file.
pub fn load_safetensors(path: &Path) -> Result<Vec<Mlp>> {
    from_safetensors_bytes(&read_file(path)?)
}

/// The error for a path that is neither `.json` nor `.safetensors`.
fn unknown_extension(path: &Path) -> CoreError {
    CoreError::config(
        "path",
        format!(
            "{}: extension must be .json or .safetensors",
            path.display()
        ),
    )
}

/// Loads networks from `.json` or `.safetensors`, chosen by the file extension.
///
/// ```
/// let err = hyperinterp_core::export::load("nets.csv".as_ref()).unwrap_err();
/// assert!(err.to_string().contains("extension"));
/// ```
pub fn load(path: &Path) -> Result<Vec<Mlp>> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => load_json(path),
        Some("safetensors") => load_safetensors(path),
        _ => Err(unknown_extension(path)),
    }
}

/// Saves networks (atomically) as `.json` or `.safetensors`, chosen by the
/// file extension; the counterpart of [`load`].
///
/// ```
/// use hyperinterp_core::{Activation, Mlp, export};
/// let net = Mlp::new(2, 1, vec![1.0, -1.0], vec![0.0], vec![0.5], 0.0, Activation::Swish)?;
/// let dir = std::env::temp_dir().join("hyperinterp-doc-save");
/// std::fs::create_dir_all(&dir).unwrap();
/// for name in ["nets.json", "nets.safetensors"] {
///     export::save(&dir.join(name), &[net.clone()])?;
///     assert_eq!(export::load(&dir.join(name))?, vec![net.clone()]);
/// }
/// assert!(export::save(&dir.join("nets.csv"), &[net]).is_err());
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn save(path: &Path, mlps: &[Mlp]) -> Result<()> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => save_json(path, mlps),
        Some("safetensors") => save_safetensors(path, mlps),
        _ => Err(unknown_extension(path)),
    }
}
