//! Round trips and malformed input for the JSON and safetensors formats.

use hyperinterp_core::export::{
    from_json_str, from_safetensors_bytes, load, save_json, save_safetensors, to_json_string,
    to_safetensors_bytes,
};
use hyperinterp_core::{Activation, CoreError, Mlp};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn random_mlp(rng: &mut ChaCha8Rng, n: usize, m: usize, activation: Activation) -> Mlp {
    let mut values =
        |count: usize| -> Vec<f32> { (0..count).map(|_| rng.random_range(-3.0f32..3.0)).collect() };
    let w = values(n * m);
    let b = values(m);
    let a = values(m);
    let c = values(1)[0];
    Mlp::new(n, m, w, b, a, c, activation).unwrap()
}

fn sample_networks() -> Vec<Mlp> {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    vec![
        random_mlp(&mut rng, 1, 1, Activation::Swish),
        random_mlp(&mut rng, 5, 7, Activation::Relu),
        random_mlp(&mut rng, 16, 48, Activation::Swish),
    ]
}

#[test]
fn json_round_trip_is_exact() {
    let nets = sample_networks();
    let text = to_json_string(&nets).unwrap();
    assert_eq!(from_json_str(&text).unwrap(), nets);
}

#[test]
fn safetensors_round_trip_is_exact() {
    let nets = sample_networks();
    let bytes = to_safetensors_bytes(&nets).unwrap();
    assert_eq!(from_safetensors_bytes(&bytes).unwrap(), nets);
}

#[test]
fn files_round_trip_and_dispatch_on_extension() {
    let dir = std::env::temp_dir().join(format!("hyperinterp-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let nets = sample_networks();
    save_json(&dir.join("n.json"), &nets).unwrap();
    save_safetensors(&dir.join("n.safetensors"), &nets).unwrap();
    assert_eq!(load(&dir.join("n.json")).unwrap(), nets);
    assert_eq!(load(&dir.join("n.safetensors")).unwrap(), nets);
    assert!(matches!(
        load(&dir.join("missing.json")),
        Err(CoreError::Io { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn truncated_safetensors_is_a_parse_error() {
    let bytes = to_safetensors_bytes(&sample_networks()).unwrap();
    for cut in [0, 4, 12, bytes.len() / 2, bytes.len() - 1] {
        let err = from_safetensors_bytes(&bytes[..cut]).unwrap_err();
        assert!(matches!(err, CoreError::Safetensors(_)), "cut {cut}: {err}");
    }
}

#[test]
fn truncated_json_is_a_parse_error() {
    let text = to_json_string(&sample_networks()).unwrap();
    let err = from_json_str(&text[..text.len() / 2]).unwrap_err();
    assert!(matches!(err, CoreError::Json(_)), "{err}");
}

/// Builds a safetensors file by hand, as a Python user might.
fn handmade(tensors: &[(&str, Vec<usize>, Vec<f32>)]) -> Vec<u8> {
    let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(name, shape, values)| {
            let raw = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            (name.to_string(), shape.clone(), raw)
        })
        .collect();
    let views: Vec<_> = bytes
        .iter()
        .map(|(name, shape, raw)| {
            (
                name.clone(),
                safetensors::tensor::TensorView::new(
                    safetensors::tensor::Dtype::F32,
                    shape.clone(),
                    raw,
                )
                .unwrap(),
            )
        })
        .collect();
    safetensors::serialize(views, None).unwrap()
}

#[test]
fn wrong_shape_in_safetensors_names_the_tensor() {
    let bytes = handmade(&[
        ("net0.w", vec![2, 3], vec![0.0; 6]),
        ("net0.b", vec![3], vec![0.0; 3]),
        ("net0.a", vec![2], vec![0.0; 2]),
        ("net0.c", vec![1], vec![0.0]),
    ]);
    match from_safetensors_bytes(&bytes) {
        Err(CoreError::ShapeMismatch {
            field,
            expected,
            found,
        }) => {
            assert_eq!(field, "net0.b");
            assert_eq!(expected, vec![2]);
            assert_eq!(found, vec![3]);
        }
        other => panic!("expected a shape error, got {other:?}"),
    }
}

#[test]
fn files_without_metadata_from_python_are_read() {
    let bytes = handmade(&[
        ("net0.w", vec![1, 2], vec![1.0, -1.0]),
        ("net0.b", vec![1], vec![0.5]),
        ("net0.a", vec![1], vec![2.0]),
        ("net0.c", vec![1], vec![0.25]),
    ]);
    let nets = from_safetensors_bytes(&bytes).unwrap();
    assert_eq!(nets.len(), 1);
    assert_eq!(nets[0].w, vec![1.0, -1.0]);
    assert_eq!(nets[0].activation, Activation::Swish);
}

#[test]
fn nan_weights_are_rejected_on_import_and_export() {
    let bytes = handmade(&[
        ("net0.w", vec![1, 2], vec![1.0, f32::NAN]),
        ("net0.b", vec![1], vec![0.0]),
        ("net0.a", vec![1], vec![1.0]),
        ("net0.c", vec![1], vec![0.0]),
    ]);
    match from_safetensors_bytes(&bytes) {
        Err(CoreError::NonFinite { field, index, .. }) => {
            assert_eq!(field, "net0.w");
            assert_eq!(index, 1);
        }
        other => panic!("expected a non-finite error, got {other:?}"),
    }
    let mut net = sample_networks().remove(1);
    net.a[2] = f32::INFINITY;
    assert!(matches!(
        to_safetensors_bytes(&[net.clone()]),
        Err(CoreError::NonFinite { .. })
    ));
    assert!(matches!(
        to_json_string(&[net]),
        Err(CoreError::NonFinite { .. })
    ));
}

#[test]
fn zero_sizes_have_their_own_errors() {
    let zero_n = handmade(&[
        ("net0.w", vec![2, 0], vec![]),
        ("net0.b", vec![2], vec![0.0; 2]),
        ("net0.a", vec![2], vec![0.0; 2]),
        ("net0.c", vec![1], vec![0.0]),
    ]);
    assert!(matches!(
        from_safetensors_bytes(&zero_n),
        Err(CoreError::ZeroInputs)
    ));
    let zero_m = r#"{"format":"hyperinterp-mlp","version":1,"networks":[
        {"n":2,"m":0,"w":[],"b":[],"a":[],"c":0.0}]}"#;
    assert!(matches!(from_json_str(zero_m), Err(CoreError::ZeroHidden)));
}

#[test]
fn missing_tensor_and_wrong_row_length_are_named() {
    let missing = handmade(&[
        ("net0.w", vec![1, 2], vec![1.0, 2.0]),
        ("net0.b", vec![1], vec![0.0]),
        ("net0.c", vec![1], vec![0.0]),
    ]);
    assert!(matches!(
        from_safetensors_bytes(&missing),
        Err(CoreError::MissingTensor { ref name }) if name == "net0.a"
    ));
    let ragged = r#"{"format":"hyperinterp-mlp","version":1,"networks":[
        {"n":2,"m":2,"w":[[1.0,2.0],[3.0]],"b":[0,0],"a":[0,0],"c":0.0}]}"#;
    assert!(matches!(
        from_json_str(ragged),
        Err(CoreError::ShapeMismatch { ref field, .. }) if field == "networks[0].w"
    ));
}

/// [`handmade`] with header metadata, as `safetensors.numpy.save_file(tensors, path, metadata)` writes.
fn handmade_with_metadata(
    tensors: &[(&str, Vec<usize>, Vec<f32>)],
    metadata: &[(&str, &str)],
) -> Vec<u8> {
    let raw: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(name, shape, values)| {
            let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            (name.to_string(), shape.clone(), bytes)
        })
        .collect();
    let views: Vec<_> = raw
        .iter()
        .map(|(name, shape, bytes)| {
            let view = safetensors::tensor::TensorView::new(
                safetensors::tensor::Dtype::F32,
                shape.clone(),
                bytes,
            )
            .unwrap();
            (name.clone(), view)
        })
        .collect();
    let metadata = metadata
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    safetensors::serialize(views, Some(metadata)).unwrap()
}

/// One network `net{k}` of sizes n = 2, m = 1, as tensors.
fn network_tensors(k: usize) -> Vec<(String, Vec<usize>, Vec<f32>)> {
    vec![
        (format!("net{k}.w"), vec![1, 2], vec![1.0, -1.0]),
        (format!("net{k}.b"), vec![1], vec![0.5]),
        (format!("net{k}.a"), vec![1], vec![2.0]),
        (format!("net{k}.c"), vec![1], vec![0.25]),
    ]
}

fn as_refs(tensors: &[(String, Vec<usize>, Vec<f32>)]) -> Vec<(&str, Vec<usize>, Vec<f32>)> {
    tensors
        .iter()
        .map(|(name, shape, values)| (name.as_str(), shape.clone(), values.clone()))
        .collect()
}

#[test]
fn a_wrong_format_tag_in_safetensors_is_refused_and_named() {
    let tensors = network_tensors(0);
    let foreign = handmade_with_metadata(&as_refs(&tensors), &[("format", "pt")]);
    let err = from_safetensors_bytes(&foreign).unwrap_err();
    assert!(
        matches!(err, CoreError::InvalidConfig { ref field, .. } if field == "format"),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("\"pt\"") && message.contains("hyperinterp-mlp"),
        "{message}"
    );

    // The right tag, or metadata without a tag (a Python file that only sets
    // the activation), are read; so is a file without metadata (above).
    let tagged = handmade_with_metadata(&as_refs(&tensors), &[("format", "hyperinterp-mlp")]);
    assert_eq!(from_safetensors_bytes(&tagged).unwrap().len(), 1);
    let untagged = handmade_with_metadata(&as_refs(&tensors), &[("net0.activation", "relu")]);
    assert_eq!(
        from_safetensors_bytes(&untagged).unwrap()[0].activation,
        Activation::Relu
    );
}

#[test]
fn a_safetensors_file_holding_no_network_is_an_error_that_says_so() {
    let no_network = |bytes: &[u8], what: &str| {
        let err = from_safetensors_bytes(bytes).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("holds no network") && message.contains("net0.w"),
            "{what}: {message}"
        );
    };
    // Networks numbered from net1.
    let from_one = network_tensors(1);
    no_network(&handmade(&as_refs(&from_one)), "from net1");
    let err = from_safetensors_bytes(&handmade(&as_refs(&from_one))).unwrap_err();
    assert!(
        err.to_string().contains("net1.w"),
        "the tensors found are listed: {err}"
    );
    // Tensors under other names.
    let unnamed = handmade(&[
        ("w", vec![1, 2], vec![1.0, -1.0]),
        ("b", vec![1], vec![0.0]),
        ("a", vec![1], vec![1.0]),
        ("c", vec![1], vec![0.0]),
    ]);
    no_network(&unnamed, "unnumbered names");
    // No tensors at all, with or without a format tag.
    no_network(&handmade(&[]), "no tensors");
    no_network(
        &handmade_with_metadata(&[], &[("format", "hyperinterp-mlp")]),
        "no tensors, tagged",
    );
    // A `count` naming networks that are not there names the missing tensor.
    let counted = handmade_with_metadata(&as_refs(&from_one), &[("count", "1")]);
    assert!(matches!(
        from_safetensors_bytes(&counted),
        Err(CoreError::MissingTensor { ref name }) if name == "net0.w"
    ));
    // What the exporter writes for an empty list says `count = 0`: empty, no error.
    assert!(
        from_safetensors_bytes(&to_safetensors_bytes(&[]).unwrap())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn networks_beyond_those_read_are_an_error_not_dropped() {
    // A gap: net0 and net2, no net1.
    let mut gap = network_tensors(0);
    gap.extend(network_tensors(2));
    let err = from_safetensors_bytes(&handmade(&as_refs(&gap))).unwrap_err();
    assert!(
        err.to_string().contains("`net2.w`") && err.to_string().contains("one network, net0"),
        "{err}"
    );
    // A `count` smaller than the networks present.
    let mut two = network_tensors(0);
    two.extend(network_tensors(1));
    let short = handmade_with_metadata(&as_refs(&two), &[("count", "1")]);
    let err = from_safetensors_bytes(&short).unwrap_err();
    assert!(err.to_string().contains("`net1.w`"), "{err}");
    assert_eq!(
        from_safetensors_bytes(&handmade(&as_refs(&two)))
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn json_network_is_one_network_of_the_json_export() {
    use hyperinterp_core::export::JsonNetwork;
    for net in sample_networks() {
        let document: serde_json::Value =
            serde_json::from_str(&to_json_string(std::slice::from_ref(&net)).unwrap()).unwrap();
        // Compared as text read back: a value made directly widens the f32s.
        let text = serde_json::to_string(&JsonNetwork::from_mlp(&net).unwrap()).unwrap();
        let one: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(one, document["networks"][0]);
        // Row j holds hidden neuron j's input weights.
        assert_eq!(one["w"].as_array().unwrap().len(), net.m);
        assert_eq!(one["w"][net.m - 1].as_array().unwrap().len(), net.n);
        let back: JsonNetwork = serde_json::from_value(one).unwrap();
        assert_eq!(back.into_mlp().unwrap(), net);
    }
}
