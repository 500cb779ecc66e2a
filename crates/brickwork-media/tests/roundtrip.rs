//! Round trips through the public entry points (`write`, `read`, `MediaSerializer`) for every still
//! format and the dtypes each keeps, and the error cases with their messages.

#![allow(clippy::unwrap_used, clippy::panic)]

use brickwork_core::{ArrayBuf, DType, Order};
use brickwork_media::{
    media_serializer, read, write, Media, MediaData, MediaError, MediaLimits, SerializedData, Serializer,
};

fn arr(dtype: &str, shape: &[usize]) -> ArrayBuf {
    let d = DType::parse(dtype).unwrap();
    let n = shape.iter().product::<usize>();
    let data: Vec<u8> = if d.kind() == brickwork_core::Kind::Bool {
        (0..n).map(|i| u8::from((i * 7) % 5 < 2)).collect()
    } else {
        (0..n * d.itemsize())
            .map(|i| ((i * 37 + i / 3) % 256) as u8)
            .collect()
    };
    ArrayBuf::new(data, d, shape.to_vec(), Order::C).unwrap()
}

fn roundtrip(a: &ArrayBuf, ext: &str) -> ArrayBuf {
    let bytes = write(&Media::with_extension(a.clone(), ext).unwrap()).unwrap();
    read(&bytes, Some(ext), None, &MediaLimits::default()).unwrap()
}

#[test]
fn lossless_formats_round_trip_exactly() {
    let cases: &[(&str, &str, &[usize])] = &[
        (".png", "|u1", &[48, 64, 3]),
        (".png", "|u1", &[17, 33, 4]),
        (".png", "|u1", &[17, 33]),
        (".png", "<u2", &[17, 33]),
        (".png", "<u2", &[17, 33, 3]),
        (".png", "|b1", &[17, 33]),
        (".PNG", "|u1", &[17, 33, 2]),
        (".apng", "|u1", &[17, 33, 3]),
        (".tif", "|u1", &[17, 33]),
        (".tif", "<u2", &[17, 33]),
        (".tif", "<i2", &[17, 33]),
        (".tif", "<u4", &[17, 33]),
        (".tif", "<i4", &[17, 33]),
        (".tif", "<u8", &[17, 33]),
        (".tif", "<i8", &[17, 33]),
        (".tif", "|i1", &[17, 33]),
        (".tif", "<f4", &[17, 33]),
        (".tiff", "<f8", &[17, 33]),
        (".tif", "|u1", &[17, 33, 3]),
        (".tif", "<u2", &[17, 33, 3]),
        (".tif", "|u1", &[17, 33, 4]),
        (".tif", "<u2", &[10, 17, 33]),
        (".tif", "|u1", &[4, 17, 33, 3]),
        (".bmp", "|u1", &[17, 33, 3]),
        (".bmp", "|u1", &[17, 33]),
        (".bmp", "|b1", &[17, 33]),
        (".ppm", "|u1", &[17, 33, 3]),
        (".pgm", "|u1", &[17, 33]),
        (".pgm", "<u2", &[17, 33]),
        (".pbm", "|b1", &[17, 33]),
        (".qoi", "|u1", &[17, 33, 3]),
        (".qoi", "|u1", &[17, 33, 4]),
        (".tga", "|u1", &[17, 33, 3]),
        (".tga", "|u1", &[17, 33, 4]),
        (".ico", "|u1", &[17, 33, 3]),
        (".npy", "<f8", &[2, 3, 4, 5]),
        (".npz", "<i4", &[17, 33]),
        (".jp2", "|u1", &[17, 33, 3]),
        (".j2k", "|u1", &[17, 33, 4]),
        (".jpx", "|u1", &[17, 33, 2]),
        (".jpc", "<u2", &[17, 33]),
    ];
    for (ext, dt, shape) in cases {
        let a = arr(dt, shape);
        let back = roundtrip(&a, ext);
        assert!(
            back == a,
            "{ext} {dt} {shape:?}: got {:?} {}",
            back.shape(),
            back.dtype()
        );
    }
}

#[test]
fn frame_lists_come_back_stacked() {
    let frames: Vec<ArrayBuf> = (0..4).map(|_| arr("|u1", &[17, 33, 3])).collect();
    let stacked: Vec<u8> = frames.iter().flat_map(|f| f.data().to_vec()).collect();
    for ext in [".png", ".apng", ".tif", ".npz"] {
        let bytes = write(&Media::with_extension(frames.clone(), ext).unwrap()).unwrap();
        let back = read(&bytes, Some(ext), None, &MediaLimits::default()).unwrap();
        assert_eq!(back.shape(), &[4, 17, 33, 3], "{ext}");
        assert!(back.data() == stacked.as_slice(), "{ext}");
    }
    // GIF is exact with at most 256 colours; lossless WebP animations are exact too.
    let few: Vec<ArrayBuf> = (0..3u8)
        .map(|k| {
            let data = (0..17 * 33 * 3).map(|i| (((i / 3) % 4) as u8 + k) * 50).collect();
            ArrayBuf::new(data, DType::U8, vec![17, 33, 3], Order::C).unwrap()
        })
        .collect();
    let bytes = write(&Media::with_extension(few.clone(), ".gif").unwrap()).unwrap();
    let back = read(&bytes, Some(".gif"), None, &MediaLimits::default()).unwrap();
    assert_eq!(back.shape(), &[3, 17, 33, 3]);
    assert!(
        back.data()
            == few
                .iter()
                .flat_map(|f| f.data().to_vec())
                .collect::<Vec<_>>()
                .as_slice()
    );
    let webp = brickwork_media::write_with(
        &MediaData::Frames(few.clone()),
        Some(".webp"),
        None,
        &brickwork_media::EncodeOptions {
            lossless: true,
            ..Default::default()
        },
    )
    .unwrap();
    let back = read(&webp, Some(".webp"), None, &MediaLimits::default()).unwrap();
    assert_eq!(back.shape(), &[3, 17, 33, 3]);
    assert!(
        back.data()
            == few
                .iter()
                .flat_map(|f| f.data().to_vec())
                .collect::<Vec<_>>()
                .as_slice()
    );
}

#[test]
fn lossy_formats_keep_shape_and_dtype() {
    for (ext, shape) in [
        (".jpg", vec![48, 64, 3]),
        (".jpeg", vec![48, 64]),
        (".webp", vec![48, 64, 3]),
    ] {
        let data = (0..shape.iter().product::<usize>())
            .map(|i| (i % 64 * 3) as u8)
            .collect();
        let a = ArrayBuf::new(data, DType::U8, shape.clone(), Order::C).unwrap();
        let back = roundtrip(&a, ext);
        assert_eq!(back.shape(), shape.as_slice(), "{ext}");
        assert_eq!(back.dtype(), DType::U8);
    }
}

#[test]
fn serializer_round_trip_keeps_config_and_content_type() {
    let s = media_serializer();
    for (ext, ct) in [
        (".png", "image/png"),
        (".tif", "image/tiff"),
        (".bmp", "image/bmp"),
        (".webp", "image/webp"),
        (".ico", "image/vnd.microsoft.icon"),
        (".ppm", "image/x-portable-pixmap"),
        (".qoi", "application/octet-stream"),
        (".npz", "application/octet-stream"),
        (".jp2", "application/octet-stream"),
        (".PNG", "image/png"),
    ] {
        let m = Media::with_extension(arr("|u1", &[17, 33, 3]), ext).unwrap();
        let out = s.serialize_data(&m).unwrap();
        assert_eq!(out.content_type, ct, "{ext}");
        let config = s.serialize_config(out.config.as_ref().unwrap()).unwrap();
        assert_eq!(config, format!(r#"{{"plugin":null,"extension":"{ext}"}}"#));
        let back = s.deserialize_data(out).unwrap();
        assert_eq!(back.extension(), Some(ext));
    }
    let out = SerializedData {
        data: write(&Media::with_plugin(arr("|u1", &[4, 4, 3]), "tifffile").unwrap()).unwrap(),
        content_type: "application/octet-stream".into(),
        content_encoding: None,
        config: s
            .deserialize_config(r#"{"plugin":"tifffile","extension":null}"#)
            .ok(),
    };
    assert_eq!(s.deserialize_data(out).unwrap().plugin(), Some("tifffile"));
}

fn err_of(media: Media) -> String {
    write(&media).unwrap_err().to_string()
}

#[test]
fn errors_are_clear() {
    let rgb = arr("|u1", &[4, 4, 3]);
    // Both set.
    let e = Media::new(rgb.clone(), Some(".png".into()), Some("pillow".into())).unwrap_err();
    assert!(matches!(e, MediaError::InvalidMedia(_)) && e.to_string().contains("both extension and plugin"));
    let e = read(b"", Some(".png"), Some("pillow"), &MediaLimits::default()).unwrap_err();
    assert!(e.to_string().contains("both extension and plugin"), "{e}");
    // Bad extensions.
    assert!(err_of(Media::with_extension(rgb.clone(), "png").unwrap()).contains("must start with a dot"));
    assert!(err_of(Media::with_extension(rgb.clone(), "").unwrap()).contains("empty"));
    let e = err_of(Media::with_extension(rgb.clone(), ".xyz").unwrap());
    assert!(e.contains("unknown extension") && e.contains(".png"), "{e}");
    // A list to single-image formats.
    let list = vec![rgb.clone(), rgb.clone()];
    for ext in [".jpg", ".bmp", ".ppm", ".ico"] {
        let e = err_of(Media::with_extension(list.clone(), ext).unwrap());
        assert!(e.contains("single image"), "{ext}: {e}");
    }
    let e = err_of(Media::with_plugin(list, "PNG-PIL").unwrap());
    assert!(e.contains("only supports single images"), "{e}");
    // Unsupported dtypes.
    let e = err_of(Media::with_extension(arr("<f4", &[4, 4]), ".png").unwrap());
    assert!(e.contains("float32") && e.contains("uint16"), "{e}");
    let e = err_of(Media::with_extension(arr("<u2", &[4, 4]), ".jpg").unwrap());
    assert!(e.contains("uint16"), "{e}");
    let e = err_of(Media::with_extension(arr("|u1", &[4, 4, 1]), ".png").unwrap());
    assert!(e.contains("one color channel"), "{e}");
    // Plugins that need an extension, unknown plugins, plugins brickwork lacks.
    assert!(err_of(Media::with_plugin(rgb.clone(), "pillow").unwrap()).contains("without an extension"));
    assert!(err_of(Media::with_plugin(rgb.clone(), "NPZ").unwrap()).contains("without an extension"));
    assert!(
        err_of(Media::with_plugin(rgb.clone(), "pillow_legacy").unwrap()).contains("not a registered plugin")
    );
    assert!(err_of(Media::with_plugin(rgb.clone(), "PNG-FI").unwrap()).contains("does not implement"));
    // Unknown bytes.
    let e = read(b"hello world", None, None, &MediaLimits::default()).unwrap_err();
    assert!(e.to_string().contains("magic bytes"), "{e}");
    let e = read(b"\x89PNG\r\n\x1a\n", Some(".png"), None, &MediaLimits::default()).unwrap_err();
    assert!(matches!(e, MediaError::Decode { .. }), "{e}");
}

#[test]
fn a_png_claiming_100000_squared_is_a_limit_error() {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |ty: &[u8; 4], data: &[u8]| {
        v.extend_from_slice(&(data.len() as u32).to_be_bytes());
        v.extend_from_slice(ty);
        v.extend_from_slice(data);
        let mut crc_in = ty.to_vec();
        crc_in.extend_from_slice(data);
        v.extend_from_slice(&crc32(&crc_in).to_be_bytes());
    };
    let mut ihdr = 100_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IEND", &[]);
    let e = read(&v, Some(".png"), None, &MediaLimits::default()).unwrap_err();
    match e {
        MediaError::LimitExceeded { what, actual, .. } => {
            assert_eq!(what, "pixel count");
            assert_eq!(actual, 10_000_000_000);
        }
        other => panic!("expected LimitExceeded, got {other}"),
    }
    let e = read(&v, None, None, &MediaLimits::default()).unwrap_err();
    assert!(e.to_string().contains("over the limit"), "{e}");
}

/// Bitwise CRC-32 (IEEE), enough for building a test chunk.
fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}
