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
