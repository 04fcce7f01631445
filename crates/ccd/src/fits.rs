//! FITS frames through cfitsio (the `fitsio` crate and its `fitsio-sys` bindings).
//!
//! Reading: the first 2-D image HDU of a file (the primary HDU of a camera file, the first
//! extension of a tile-compressed `.fz` file), any BITPIX (8, 16, 32, 64, −32, −64) with BZERO/BSCALE
//! applied by cfitsio, delivered as float64 physical values (ADU) row block by row block.
//! Writing: float32 (BITPIX −32), float64 (−64) or unsigned 16-bit (BITPIX 16 + BZERO 32768)
//! images with a copied header plus new keywords, always under a temporary name renamed into place.
//!
//! A [`FitsReader`] wraps a cfitsio handle, which must not cross threads: it is deliberately not
//! `Send`; every worker opens its own.

use crate::error::{CcdError, Result};
use fitsio_sys as sys;
use starmill_io::AtomicPath;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int, c_long, c_void};
use std::path::{Path, PathBuf};

/// cfitsio's status for a keyword that is not in the header.
const KEY_NO_EXIST: c_int = sys::KEY_NO_EXIST as c_int;

/// Turns a cfitsio status into an error naming the file, with cfitsio's text and its message stack.
fn fits_error(path: &Path, status: c_int, doing: &str) -> CcdError {
    let mut text = [0 as c_char; 81];
    // SAFETY: ffgerr writes at most 30 characters plus NUL into the 81-byte buffer.
    unsafe { sys::ffgerr(status, text.as_mut_ptr()) };
    let mut message = format!("{doing}: cfitsio status {status} ({})", cstr_lossy(&text));
    let mut details = Vec::new();
    loop {
        let mut line = [0 as c_char; 81];
        // SAFETY: ffgmsg pops one message of at most 80 characters plus NUL.
        let n = unsafe { sys::ffgmsg(line.as_mut_ptr()) };
        if n == 0 {
            break;
        }
        let l = cstr_lossy(&line);
        if !l.is_empty() && details.len() < 4 {
            details.push(l);
        }
    }
    if !details.is_empty() {
        message.push_str(": ");
        message.push_str(&details.join("; "));
    }
    if status == sys::END_OF_FILE as c_int {
        message.push_str(" — the file is shorter than its header says (truncated copy?); copy it again");
    }
    CcdError::Fits { path: path.to_path_buf(), message }
}

fn cstr_lossy(buf: &[c_char]) -> String {
    // SAFETY: the buffers passed here are NUL-terminated by cfitsio (zero-initialised beforehand).
    unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().trim_end().to_string()
}

fn cstring(path: &Path, s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| CcdError::input(path, format!("text {s:?} contains a NUL byte")))
}

/// A fitsio error as plain text (cfitsio's status and message).
fn describe_fitsio(e: &fitsio::errors::Error) -> String {
    match e {
        fitsio::errors::Error::Fits(f) => format!("cfitsio status {}: {}", f.status, f.message),
        other => other.to_string(),
    }
}

/// Reads the 2-D image of one FITS file. Not `Send`: open one per worker thread.
pub struct FitsReader {
    file: fitsio::FitsFile,
    path: PathBuf,
    width: usize,
    height: usize,
    bitpix: i32,
    hdu: usize,
    scratch: Vec<u16>,
}

impl std::fmt::Debug for FitsReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FitsReader")
            .field("path", &self.path)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bitpix", &self.bitpix)
            .field("hdu", &self.hdu)
            .finish()
    }
}

impl FitsReader {
    /// Opens `path` and moves to its first HDU holding a 2-D image (NAXIS = 2, or more axes of
    /// which all beyond the second have length 1). Checks that the file is as long as its headers
    /// promise, so a truncated copy is reported here rather than half-way through a run.
    pub fn open(path: &Path) -> Result<Self> {
        let mut file = fitsio::FitsFile::open(path).map_err(|e| CcdError::Fits {
            path: path.to_path_buf(),
            message: format!("cannot open as FITS ({}); is it a complete FITS file?", describe_fitsio(&e)),
        })?;
        // SAFETY: the pointer stays valid while `file` lives; all calls below are on this thread.
        let fptr = unsafe { file.as_raw() };
        let mut status: c_int = 0;
        let mut nhdu: c_int = 0;
        unsafe { sys::ffthdu(fptr, &mut nhdu, &mut status) };
        if status != 0 {
            return Err(fits_error(path, status, "cannot count the HDUs"));
        }
        let file_len = std::fs::metadata(path).map_err(|e| CcdError::os(path, e))?.len();
        for hdu in 1..=nhdu.max(1) {
            let mut hdutype: c_int = 0;
            unsafe { sys::ffmahd(fptr, hdu, &mut hdutype, &mut status) };
            if status != 0 {
                return Err(fits_error(path, status, &format!("cannot move to HDU {hdu}")));
            }
            // A tile-compressed image is a binary table that cfitsio presents as an image HDU.
            unsafe { sys::ffghdt(fptr, &mut hdutype, &mut status) };
            if status != 0 {
                return Err(fits_error(path, status, &format!("cannot read the type of HDU {hdu}")));
            }
            if hdutype != sys::IMAGE_HDU as c_int {
                continue;
            }
            let mut naxis: c_int = 0;
            unsafe { sys::ffgidm(fptr, &mut naxis, &mut status) };
            let mut naxes = [0 as c_long; 9];
            unsafe { sys::ffgisz(fptr, naxes.len() as c_int, naxes.as_mut_ptr(), &mut status) };
            let mut bitpix: c_int = 0;
            unsafe { sys::ffgiet(fptr, &mut bitpix, &mut status) };
            if status != 0 {
                return Err(fits_error(path, status, &format!("cannot read the image size of HDU {hdu}")));
            }
            let n = naxis.clamp(0, 9) as usize;
            if n < 2 || naxes[2..n].iter().any(|&a| a != 1) || naxes[0] <= 0 || naxes[1] <= 0 {
                continue;
            }
            let (mut head, mut data_start, mut data_end) = (0i64, 0i64, 0i64);
            unsafe { sys::ffghadll(fptr, &mut head, &mut data_start, &mut data_end, &mut status) };
            if status != 0 {
                return Err(fits_error(path, status, "cannot locate the data"));
            }
            // FITS pads data to 2880-byte blocks; demand the data themselves, not the padding.
            let mut raw_bitpix: c_int = 0;
            unsafe { sys::ffgidt(fptr, &mut raw_bitpix, &mut status) };
            let compressed = is_compressed(fptr);
            let needed = if !compressed {
                data_start as u64 + (naxes[0] as u64 * naxes[1] as u64) * (raw_bitpix.unsigned_abs() as u64 / 8)
            } else {
                data_start as u64
            };
            if file_len < needed {
                return Err(CcdError::Fits {
                    path: path.to_path_buf(),
                    message: format!(
                        "truncated: the header promises {needed} bytes but the file has {file_len}; copy the file again"
                    ),
                });
            }
            return Ok(Self {
                file,
                path: path.to_path_buf(),
                width: naxes[0] as usize,
                height: naxes[1] as usize,
                bitpix,
                hdu: hdu as usize,
                scratch: Vec::new(),
            });
        }
        Err(CcdError::input(path, "no 2-D image in any HDU; starmill calibrates 2-D frames (NAXIS = 2)"))
    }

    fn fptr(&mut self) -> *mut sys::fitsfile {
        // SAFETY: the handle is owned by `self.file` and used on this thread only.
        unsafe { self.file.as_raw() }
    }

    /// The file this reader is on.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Image width in pixels (NAXIS1).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Image height in pixels (NAXIS2, the number of rows).
    pub fn height(&self) -> usize {
        self.height
    }

    /// The equivalent BITPIX (e.g. 20 = unsigned 16-bit for BITPIX 16 with BZERO 32768).
    pub fn bitpix(&self) -> i32 {
        self.bitpix
    }

    /// The 1-based HDU number holding the image.
    pub fn hdu(&self) -> usize {
        self.hdu
    }

    /// A numeric keyword of the image HDU, `None` when absent. A keyword whose value is not a number
    /// is an error naming the value.
    pub fn key_f64(&mut self, name: &str) -> Result<Option<f64>> {
        let key = cstring(&self.path, name)?;
        let mut value: f64 = 0.0;
        let mut status: c_int = 0;
        let fptr = self.fptr();
        unsafe {
            sys::ffgky(
                fptr,
                sys::TDOUBLE as c_int,
                key.as_ptr(),
                &mut value as *mut f64 as *mut c_void,
                std::ptr::null_mut(),
                &mut status,
            )
        };
        match status {
            0 => Ok(Some(value)),
            KEY_NO_EXIST => {
                unsafe { sys::ffcmsg() };
                Ok(None)
            }
            _ => {
                let raw = self.key_str(name).ok().flatten().unwrap_or_default();
                unsafe { sys::ffcmsg() };
                Err(CcdError::input(
                    &self.path,
                    format!("keyword {name} = {raw:?} is not a number; fix the header (e.g. with astropy or fthedit)"),
                ))
            }
        }
    }

    /// A keyword's value as text (string values without quotes), `None` when absent.
    pub fn key_str(&mut self, name: &str) -> Result<Option<String>> {
        let key = cstring(&self.path, name)?;
        let mut value = [0 as c_char; 72];
        let mut status: c_int = 0;
        let fptr = self.fptr();
        unsafe { sys::ffgkys(fptr, key.as_ptr(), value.as_mut_ptr(), std::ptr::null_mut(), &mut status) };
        match status {
            0 => Ok(Some(cstr_lossy(&value).trim().to_string())),
            KEY_NO_EXIST => {
                unsafe { sys::ffcmsg() };
                Ok(None)
            }
            _ => Err(fits_error(&self.path, status, &format!("cannot read keyword {name}"))),
        }
    }

    /// Reads `out.len() / width` whole rows starting at row `row0` (0-based) as float64 physical
    /// values (BZERO/BSCALE applied). `out.len()` must be a multiple of the width.
    pub fn read_rows(&mut self, row0: usize, out: &mut [f64]) -> Result<()> {
        debug_assert_eq!(out.len() % self.width, 0);
        if out.is_empty() {
            return Ok(());
        }
        let first = (row0 * self.width + 1) as i64;
        let mut status: c_int = 0;
        let mut anynul: c_int = 0;
        // Unsigned 16-bit camera data: let cfitsio deliver u16 (its fast BZERO = 32768 path) and
        // widen here, exactly and vectorised; everything else arrives as float64 from cfitsio.
        let as_u16 = self.bitpix == sys::USHORT_IMG as i32;
        let mut scratch = std::mem::take(&mut self.scratch);
        let (datatype, target) = if as_u16 {
            scratch.resize(out.len(), 0);
            (sys::TUSHORT, scratch.as_mut_ptr() as *mut c_void)
        } else {
            (sys::TDOUBLE, out.as_mut_ptr() as *mut c_void)
        };
        let fptr = self.fptr();
        unsafe {
            sys::ffgpv(
                fptr,
                datatype as c_int,
                first,
                out.len() as i64,
                std::ptr::null_mut(),
                target,
                &mut anynul,
                &mut status,
            )
        };
        if as_u16 && status == 0 {
            for (o, &v) in out.iter_mut().zip(&scratch) {
                *o = v as f64;
            }
        }
        self.scratch = scratch;
        if status != 0 {
            let rows = out.len() / self.width;
            return Err(fits_error(&self.path, status, &format!("cannot read rows {row0}..{}", row0 + rows)));
        }
        Ok(())
    }

    /// Reads the whole image (height × width, row-major) as float64 physical values (ADU).
    pub fn read_all(&mut self) -> Result<Vec<f64>> {
        let mut out = vec![0.0; self.width * self.height];
        self.read_rows(0, &mut out)?;
        Ok(out)
    }

    /// The header cards worth carrying over to a derived image: every card except the structural
    /// ones (SIMPLE, BITPIX, NAXISn, EXTEND, BZERO, BSCALE, BLANK, checksums, the table and
    /// compression keywords of a `.fz` file and cfitsio's standard FITS-definition comment).
    pub fn user_cards(&mut self) -> Result<Vec<String>> {
        let mut status: c_int = 0;
        let (mut nkeys, mut more): (c_int, c_int) = (0, 0);
        let fptr = self.fptr();
        unsafe { sys::ffghsp(fptr, &mut nkeys, &mut more, &mut status) };
        if status != 0 {
            return Err(fits_error(&self.path, status, "cannot read the header"));
        }
        let mut cards = Vec::with_capacity(nkeys.max(0) as usize);
        for i in 1..=nkeys {
            let mut card = [0 as c_char; 81];
            unsafe { sys::ffgrec(fptr, i, card.as_mut_ptr(), &mut status) };
            if status != 0 {
                return Err(fits_error(&self.path, status, &format!("cannot read header card {i}")));
            }
            let card = cstr_lossy(&card);
            if keep_card(&card) {
                cards.push(card);
            }
        }
        Ok(cards)
    }
}

/// Whether a header card survives into a derived image (see [`FitsReader::user_cards`]).
fn keep_card(card: &str) -> bool {
    let key = card.get(..8.min(card.len())).unwrap_or("").trim_end().to_ascii_uppercase();
    let numbered =
        |prefix: &str| key.strip_prefix(prefix).is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()));
    const STRUCTURAL: &[&str] = &[
        "SIMPLE", "BITPIX", "NAXIS", "EXTEND", "BZERO", "BSCALE", "BLANK", "PCOUNT", "GCOUNT", "XTENSION", "END",
        "CHECKSUM", "DATASUM", "TFIELDS", "THEAP", "ZIMAGE", "ZBITPIX", "ZNAXIS", "ZCMPTYPE", "ZMASKCMP", "ZSIMPLE",
        "ZTENSION", "ZEXTEND", "ZBLOCKED", "ZPCOUNT", "ZGCOUNT", "ZHECKSUM", "ZDATASUM", "ZQUANTIZ", "ZDITHER0",
        "ZTHEAP", "ZBLANK", "ZSCALE", "ZZERO",
    ];
    if STRUCTURAL.contains(&key.as_str()) {
        return false;
    }
    if ["NAXIS", "TTYPE", "TFORM", "TUNIT", "TDIM", "ZNAXIS", "ZTILE", "ZNAME", "ZVAL"].iter().any(|p| numbered(p)) {
        return false;
    }
    if key == "EXTNAME" && (card.contains("COMPRESSED_IMAGE") || card.contains("'_PRIMARY'")) {
        return false;
    }
    if key == "COMMENT"
        && (card.contains("FITS (Flexible Image Transport System) format is")
            || card.contains("and Astrophysics', volume 376, page 359"))
    {
        return false;
    }
    true
}

/// The pixel type of an image written by starmill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputType {
    /// IEEE single precision, BITPIX −32 (values rounded to nearest, ties to even).
    Float32,
    /// IEEE double precision, BITPIX −64 (exact).
    Float64,
    /// Unsigned 16-bit, stored as BITPIX 16 with BZERO 32768 (raw camera format).
    UInt16,
}

impl OutputType {
    /// From a BITPIX value given by a user: −32, −64 or 16 (unsigned 16-bit).
    pub fn from_bitpix(bitpix: i32) -> Option<Self> {
        match bitpix {
            -32 => Some(Self::Float32),
            -64 => Some(Self::Float64),
            16 => Some(Self::UInt16),
            _ => None,
        }
    }
}

/// A header keyword value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyValue {
    /// A string (at most 68 characters are kept).
    Str(String),
    /// A floating-point number (written with full double precision).
    F64(f64),
    /// An integer.
    Int(i64),
    /// A logical (T/F).
    Bool(bool),
}

/// The header of an image to write: cards copied verbatim, then keywords, then HISTORY lines.
#[derive(Debug, Clone, Default)]
pub struct HeaderSpec {
    /// Complete 80-character cards copied from an input header (see [`FitsReader::user_cards`]).
    pub cards: Vec<String>,
    /// Keywords written (or overwritten if a copied card has the same name) after the cards:
    /// (name, value, comment).
    pub keys: Vec<(String, KeyValue, String)>,
    /// HISTORY lines appended at the end.
    pub history: Vec<String>,
}

impl HeaderSpec {
    /// Adds (or replaces) a keyword.
    pub fn key(&mut self, name: &str, value: KeyValue, comment: &str) -> &mut Self {
        self.keys.retain(|(n, _, _)| n != name);
        self.keys.push((name.to_string(), value, comment.to_string()));
        self
    }
}

/// Pixel data handed to [`write_image`].
#[derive(Debug, Clone, Copy)]
pub enum Pixels<'a> {
    /// Float64 values (converted to the output type).
    F64(&'a [f64]),
    /// Float32 values.
    F32(&'a [f32]),
    /// Unsigned 16-bit values.
    U16(&'a [u16]),
}

impl Pixels<'_> {
    fn len(&self) -> usize {
        match self {
            Pixels::F64(d) => d.len(),
            Pixels::F32(d) => d.len(),
            Pixels::U16(d) => d.len(),
        }
    }
}

/// A FITS image being written: the header goes out at [`FitsWriter::create`], rows follow in any
/// order with [`FitsWriter::write_rows`], and [`FitsWriter::finish`] adds CHECKSUM/DATASUM and renames
/// the temporary file into place. Dropped unfinished, the temporary file is removed. Not `Send`.
pub struct FitsWriter {
    // Field order matters: the cfitsio handle closes before the temporary file is removed.
    file: fitsio::FitsFile,
    atomic: AtomicPath,
    dest: PathBuf,
    width: usize,
    height: usize,
    output: OutputType,
    scratch32: Vec<f32>,
    scratch64: Vec<f64>,
}

impl std::fmt::Debug for FitsWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FitsWriter").field("dest", &self.dest).field("output", &self.output).finish()
    }
}

impl FitsWriter {
    /// Starts `dest` (under a temporary name in the same folder) as a `height` × `width` primary
    /// image of type `output` with the header `header`.
    pub fn create(dest: &Path, width: usize, height: usize, output: OutputType, header: &HeaderSpec) -> Result<Self> {
        let atomic = AtomicPath::new(dest);
        let image_type = match output {
            OutputType::Float32 => fitsio::images::ImageType::Float,
            OutputType::Float64 => fitsio::images::ImageType::Double,
            OutputType::UInt16 => fitsio::images::ImageType::UnsignedShort,
        };
        let description = fitsio::images::ImageDescription { data_type: image_type, dimensions: &[height, width] };
        let mut file =
            fitsio::FitsFile::create(atomic.temp()).with_custom_primary(&description).overwrite().open().map_err(
                |e| CcdError::Fits {
                    path: dest.to_path_buf(),
                    message: format!("cannot create ({}); is the folder writable?", describe_fitsio(&e)),
                },
            )?;
        // SAFETY: the handle is owned by `file` and used on this thread only.
        let fptr = unsafe { file.as_raw() };
        let mut status: c_int = 0;
        // The fitsio crate labels a custom primary HDU with EXTNAME = '_PRIMARY'; drop it.
        let extname = cstring(dest, "EXTNAME")?;
        unsafe { sys::ffdkey(fptr, extname.as_ptr(), &mut status) };
        if status != 0 {
            status = 0;
            unsafe { sys::ffcmsg() };
        }
        for card in &header.cards {
            let c = cstring(dest, card)?;
            unsafe { sys::ffprec(fptr, c.as_ptr(), &mut status) };
        }
        for (name, value, comment) in &header.keys {
            let n = cstring(dest, name)?;
            let c = cstring(dest, comment)?;
            match value {
                KeyValue::Str(s) => {
                    let s: String = s.chars().filter(|c| c.is_ascii() && !c.is_ascii_control()).take(68).collect();
                    let v = cstring(dest, &s)?;
                    unsafe { sys::ffukys(fptr, n.as_ptr(), v.as_ptr(), c.as_ptr(), &mut status) };
                }
                KeyValue::F64(x) => {
                    unsafe { sys::ffukyd(fptr, n.as_ptr(), *x, -17, c.as_ptr(), &mut status) };
                }
                KeyValue::Int(i) => {
                    let mut v: i64 = *i;
                    unsafe {
                        sys::ffuky(
                            fptr,
                            sys::TLONGLONG as c_int,
                            n.as_ptr(),
                            &mut v as *mut i64 as *mut c_void,
                            c.as_ptr(),
                            &mut status,
                        )
                    };
                }
                KeyValue::Bool(b) => {
                    unsafe { sys::ffukyl(fptr, n.as_ptr(), *b as c_int, c.as_ptr(), &mut status) };
                }
            }
        }
        for line in &header.history {
            for chunk in line.as_bytes().chunks(70) {
                let h = cstring(dest, &String::from_utf8_lossy(chunk))?;
                unsafe { sys::ffphis(fptr, h.as_ptr(), &mut status) };
            }
        }
        if status != 0 {
            return Err(fits_error(dest, status, "cannot write the header"));
        }
        Ok(Self {
            file,
            atomic,
            dest: dest.to_path_buf(),
            width,
            height,
            output,
            scratch32: Vec::new(),
            scratch64: Vec::new(),
        })
    }

    /// Writes whole rows starting at row `row0` (0-based); the pixel count must be a multiple of the
    /// width. Float64 pixels written as float32 are rounded to nearest (ties to even).
    pub fn write_rows(&mut self, row0: usize, pixels: Pixels<'_>) -> Result<()> {
        let n = pixels.len();
        if !n.is_multiple_of(self.width) || row0 * self.width + n > self.width * self.height {
            return Err(CcdError::Usage(format!(
                "{}: {n} pixels at row {row0} do not fit a {}×{} image",
                self.dest.display(),
                self.width,
                self.height
            )));
        }
        // SAFETY: the handle is owned by `self.file` and used on this thread only.
        let fptr = unsafe { self.file.as_raw() };
        let first = (row0 * self.width + 1) as i64;
        let mut status: c_int = 0;
        let (datatype, data): (u32, *mut c_void) = match (self.output, pixels) {
            (OutputType::Float32, Pixels::F64(d)) => {
                self.scratch32.clear();
                self.scratch32.extend(d.iter().map(|&x| x as f32));
                (sys::TFLOAT, self.scratch32.as_mut_ptr() as *mut c_void)
            }
            (OutputType::Float32, Pixels::F32(d)) => (sys::TFLOAT, d.as_ptr() as *mut c_void),
            (OutputType::Float64, Pixels::F64(d)) => (sys::TDOUBLE, d.as_ptr() as *mut c_void),
            (OutputType::Float64, Pixels::F32(d)) => {
                self.scratch64.clear();
                self.scratch64.extend(d.iter().map(|&x| x as f64));
                (sys::TDOUBLE, self.scratch64.as_mut_ptr() as *mut c_void)
            }
            (OutputType::UInt16, Pixels::U16(d)) => (sys::TUSHORT, d.as_ptr() as *mut c_void),
            _ => {
                return Err(CcdError::Usage(format!(
                    "{}: unsigned 16-bit images are written from u16 pixels only",
                    self.dest.display()
                )))
            }
        };
        // SAFETY: `data` points at `n` elements of `datatype`; cfitsio only reads them.
        unsafe { sys::ffppr(fptr, datatype as c_int, first, n as i64, data, &mut status) };
        if status != 0 {
            return Err(fits_error(&self.dest, status, "cannot write the pixels (disk full?)"));
        }
        Ok(())
    }

    /// Adds CHECKSUM/DATASUM, flushes and renames the file into place.
    pub fn finish(self) -> Result<()> {
        self.finish_with(true)
    }

    /// Flushes and renames the file into place, with CHECKSUM/DATASUM keywords when `checksum`
    /// (computing them reads the whole data unit back once).
    pub fn finish_with(mut self, checksum: bool) -> Result<()> {
        // SAFETY: the handle is owned by `self.file` and used on this thread only.
        let fptr = unsafe { self.file.as_raw() };
        let mut status: c_int = 0;
        if checksum {
            unsafe { sys::ffpcks(fptr, &mut status) };
        }
        unsafe { sys::ffflus(fptr, &mut status) };
        if status != 0 {
            return Err(fits_error(&self.dest, status, "cannot finish writing (disk full?)"));
        }
        let Self { file, atomic, .. } = self;
        drop(file);
        atomic.commit().map_err(CcdError::from)
    }
}

/// Writes a whole 2-D image of `height` rows × `width` columns to `dest` as the primary HDU,
/// atomically, with the header `header` and a CHECKSUM/DATASUM pair. The file passes `fitsverify`.
pub fn write_image(
    dest: &Path,
    width: usize,
    height: usize,
    output: OutputType,
    pixels: Pixels<'_>,
    header: &HeaderSpec,
) -> Result<()> {
    if pixels.len() != width * height {
        return Err(CcdError::Usage(format!(
            "{}: {} pixels given for a {width}×{height} image",
            dest.display(),
            pixels.len()
        )));
    }
    let mut writer = FitsWriter::create(dest, width, height, output, header)?;
    writer.write_rows(0, pixels)?;
    writer.finish()
}

/// Whether the current HDU is a tile-compressed image (stored as a binary table).
fn is_compressed(fptr: *mut sys::fitsfile) -> bool {
    let mut status: c_int = 0;
    // SAFETY: a valid handle; ffiscmp only inspects the current HDU.
    unsafe { sys::fits_is_compressed_image(fptr, &mut status) != 0 }
}
