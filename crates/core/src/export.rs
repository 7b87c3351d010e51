//! Export and import of networks as JSON and as safetensors, formats Python
//! reads without this project.
//!
//! **JSON**: `{"format": "hyperinterp-mlp", "version": 1, "networks": [{"n", "m",
//! "activation": "swish"|"relu", "w": [[..n..] x m], "b": [m], "a": [m], "c"}]}`.
//! Row `j` of `w` holds hidden neuron `j`'s input weights. Other JSON files
//! that hold a network (a report's representatives) write it the same way,
//! through [`JsonNetwork`] and the serde adapter [`json_network`].
//!
//! **safetensors**: network `k` is stored as tensors `net{k}.w` `[m, n]`,
//! `net{k}.b` `[m]`, `net{k}.a` `[m]`, `net{k}.c` `[1]`, all F32; the header
//! metadata holds `format = hyperinterp-mlp`, `count`, and `net{k}.activation`
//! (absent activation means swish, so files written from Python need only the
//! tensors; a `format` other than `hyperinterp-mlp`, or a file with no `net0.w`
//! whose metadata does not say `count = 0`, is an error).
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

/// One network as the JSON export writes it: `w` nested as `[m][n]` (row `j`
/// holds hidden neuron `j`'s input weights), unlike [`Mlp::w`], which is flat.
/// Other files that hold a network (e.g. a report's representatives) use it
/// too, through [`json_network`], so that there is one layout to read.
///
/// ```
/// use hyperinterp_core::{export::JsonNetwork, Activation, Mlp};
/// let net = Mlp::new(2, 2, vec![1.0, 2.0, 3.0, 4.0], vec![0.0; 2], vec![1.0; 2], 0.5, Activation::Relu)?;
/// let json = JsonNetwork::from_mlp(&net)?;
/// assert_eq!(json.w, vec![vec![1.0, 2.0], vec![3.0, 4.0]]);
/// assert_eq!(json.into_mlp()?, net);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JsonNetwork {
    /// Input size.
    pub n: usize,
    /// Hidden width.
    pub m: usize,
    /// Hidden nonlinearity (absent means swish).
    #[serde(default)]
    pub activation: Activation,
    /// Input-to-hidden weights, `m` rows of `n`.
    pub w: Vec<Vec<f32>>,
    /// Hidden biases `[m]`.
    pub b: Vec<f32>,
    /// Output weights `[m]`.
    pub a: Vec<f32>,
    /// Output bias.
    pub c: f32,
}

impl JsonNetwork {
    /// The network in this layout (validated first).
    pub fn from_mlp(mlp: &Mlp) -> Result<Self> {
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
    }

    /// The network back, validated; a shape error names `w` with the shape
    /// `[rows, row length]` found.
    pub fn into_mlp(self) -> Result<Mlp> {
        if let Some(row) = self.w.iter().find(|row| row.len() != self.n) {
            return Err(CoreError::ShapeMismatch {
                field: "w".into(),
                expected: vec![self.m, self.n],
                found: vec![self.w.len(), row.len()],
            });
        }
        let rows = self.w.len();
        let mlp = Mlp {
            n: self.n,
            m: self.m,
            w: self.w.into_iter().flatten().collect(),
            b: self.b,
            a: self.a,
            c: self.c,
            activation: self.activation,
        };
        mlp.validate().map_err(|e| match e {
            CoreError::ShapeMismatch {
                field, expected, ..
            } if field == "w" => CoreError::ShapeMismatch {
                field,
                expected,
                found: vec![rows, mlp.n],
            },
            other => other,
        })?;
        Ok(mlp)
    }
}

/// A serde adapter that writes an [`Mlp`] field as [`JsonNetwork`], exactly
/// as one network of the JSON export: `#[serde(with = "hyperinterp_core::export::json_network")]`.
/// Reading also accepts a flat `w` of `m * n` numbers (row-major, the layout
/// of [`Mlp`] itself, which reports written before this adapter hold); either
/// way the network is validated, and a malformed one is an error naming the problem.
///
/// ```
/// use hyperinterp_core::{export, Mlp};
/// #[derive(Debug, serde::Serialize, serde::Deserialize)]
/// struct Holder {
///     #[serde(with = "export::json_network")]
///     network: Mlp,
/// }
/// let holder = Holder { network: Mlp::zeros(2, 3, Default::default())? };
/// let text = serde_json::to_string(&holder)?;
/// assert!(text.contains(r#""w":[[0.0,0.0],[0.0,0.0],[0.0,0.0]]"#));
/// assert_eq!(serde_json::from_str::<Holder>(&text)?.network, holder.network);
/// let flat = r#"{"network":{"n":2,"m":1,"w":[1.0,2.0],"b":[0.0],"a":[1.0],"c":0.0}}"#;
/// assert_eq!(serde_json::from_str::<Holder>(flat)?.network.w, vec![1.0, 2.0]);
/// let ragged = r#"{"network":{"n":2,"m":1,"w":[[1.0]],"b":[0.0],"a":[1.0],"c":0.0}}"#;
/// assert!(serde_json::from_str::<Holder>(ragged).unwrap_err().to_string().contains("network.w"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub mod json_network {
    use serde::de::Error as _;
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::JsonNetwork;
    use crate::mlp::{Activation, Mlp};

    /// `w` nested as the export writes it, or flat as older files hold it.
    #[derive(Deserialize)]
    #[serde(
        untagged,
        expecting = "`w` as m rows of n numbers (or, in files written before the export layout, a flat list of m * n numbers)"
    )]
    enum Weights {
        Rows(Vec<Vec<f32>>),
        Flat(Vec<f32>),
    }

    #[derive(Deserialize)]
    struct EitherLayout {
        n: usize,
        m: usize,
        #[serde(default)]
        activation: Activation,
        w: Weights,
        b: Vec<f32>,
        a: Vec<f32>,
        c: f32,
    }

    /// Writes the network as [`JsonNetwork`] (an invalid network is an error).
    pub fn serialize<S: Serializer>(mlp: &Mlp, serializer: S) -> Result<S::Ok, S::Error> {
        JsonNetwork::from_mlp(mlp)
            .map_err(|e| S::Error::custom(e.within("network.")))?
            .serialize(serializer)
    }

    /// Reads a network with `w` nested (the export's layout) or flat, validated.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Mlp, D::Error> {
        let net = EitherLayout::deserialize(deserializer)?;
        let mlp = match net.w {
            Weights::Rows(w) => JsonNetwork {
                n: net.n,
                m: net.m,
                activation: net.activation,
                w,
                b: net.b,
                a: net.a,
                c: net.c,
            }
            .into_mlp(),
            Weights::Flat(w) => Mlp::new(net.n, net.m, w, net.b, net.a, net.c, net.activation),
        };
        mlp.map_err(|e| D::Error::custom(e.within("network.")))
    }
}

/// Networks as a pretty-printed JSON document (validated first).
pub fn to_json_string(mlps: &[Mlp]) -> Result<String> {
    let networks = mlps
        .iter()
        .map(JsonNetwork::from_mlp)
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
            net.into_mlp()
                .map_err(|e| e.within(&format!("networks[{k}].")))
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
/// without it, from the consecutive `net{k}.w` tensors present. Metadata is
/// optional (a file written from Python needs only the tensors), but these
/// are errors that say what is wrong: a `format` other than [`FORMAT`]; a
/// file that holds no network (no `net0.w`, e.g. networks numbered from
/// `net1`), unless its metadata says `count = 0` (what
/// [`to_safetensors_bytes`] writes for an empty list); and a `net{k}.w`
/// beyond the networks read (a gap in the numbering, or a `count` too small).
///
/// ```
/// use hyperinterp_core::export;
/// let empty = export::to_safetensors_bytes(&[])?;
/// assert!(export::from_safetensors_bytes(&empty)?.is_empty());
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn from_safetensors_bytes(bytes: &[u8]) -> Result<Vec<Mlp>> {
    let tensors =
        SafeTensors::deserialize(bytes).map_err(|e| CoreError::Safetensors(e.to_string()))?;
    let (_, header) =
        SafeTensors::read_metadata(bytes).map_err(|e| CoreError::Safetensors(e.to_string()))?;
    let metadata = header.metadata().clone().unwrap_or_default();
    if let Some(format) = metadata.get("format")
        && format != FORMAT
    {
        return Err(CoreError::config(
            "format",
            format!(
                "must be {FORMAT:?}, got {format:?} (safetensors metadata): not a file of hyperinterp networks"
            ),
        ));
    }
    let has_w = |k: usize| tensors.tensor(&format!("net{k}.w")).is_ok();
    let count = match metadata.get("count") {
        Some(text) => text.parse::<usize>().map_err(|_| {
            CoreError::Safetensors(format!("metadata `count` is not a number: {text:?}"))
        })?,
        None => (0..).take_while(|&k| has_w(k)).count(),
    };
    if count == 0 && !metadata.contains_key("count") {
        let mut names: Vec<&str> = tensors.names();
        names.sort();
        let shown: Vec<&str> = names.iter().take(8).copied().collect();
        return Err(CoreError::Safetensors(format!(
            "the file holds no network: no tensor `net0.w` (network k is `net{{k}}.w`, `.b`, `.a`, `.c`, from k = 0); its tensors: [{}]{}",
            shown.join(", "),
            if names.len() > shown.len() {
                ", ..."
            } else {
                ""
            }
        )));
    }
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
    let networks = (0..count)
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
        .collect::<Result<Vec<_>>>()?;
    // Every `net{k}.w` must belong to a network read: a file whose networks
    // start at net1, or that skips one, must not read as fewer networks.
    let beyond: Option<(usize, &str)> = tensors
        .names()
        .into_iter()
        .filter_map(|name| {
            let k = name
                .strip_prefix("net")?
                .strip_suffix(".w")?
                .parse::<usize>()
                .ok()?;
            (k >= count).then_some((k, name))
        })
        .min();
    if let Some((_, first)) = beyond {
        let read = match count {
            0 => "no network (the metadata says `count` = 0)".to_string(),
            1 => "one network, net0".to_string(),
            _ => format!("{count} networks, net0 to net{}", count - 1),
        };
        return Err(CoreError::Safetensors(format!(
            "tensor `{first}` is not part of the networks read, {read}: networks are numbered \
             from net0 without gaps, and a `count` in the metadata counts them all"
        )));
    }
    Ok(networks)
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
