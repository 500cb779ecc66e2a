//! Array → bytes codecs that read the array's dtype (and shape): `pcodec` (pco) and `zfpy` (ZFP).

pub mod pcodec;
pub mod zfpy;
