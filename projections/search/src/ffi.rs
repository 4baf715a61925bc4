//! A small binding of libvoikko's C API, loaded at run time with `dlopen` (`libloading`).
//!
//! The library is optional: [`VoikkoLibrary::load`] returns `None` when `libvoikko.so.1` (or
//! its Finnish dictionary) is missing, and search falls back to Snowball. This is the only
//! module of the workspace allowed to use `unsafe`; every block says why it is sound.
//!
//! A [`VoikkoHandle`] is not thread-safe (libvoikko: "a single handle should not be used
//! simultaneously from multiple threads"), so it is `!Send` and `!Sync`: callers keep one per
//! thread (see `morphology`).
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::marker::PhantomData;
use std::path::Path;
use std::ptr;

type InitFn = unsafe extern "C" fn(*mut *const c_char, *const c_char, *const c_char) -> *mut c_void;
type TerminateFn = unsafe extern "C" fn(*mut c_void);
type SetBooleanOptionFn = unsafe extern "C" fn(*mut c_void, c_int, c_int) -> c_int;
type AnalyzeFn = unsafe extern "C" fn(*mut c_void, *const c_char) -> *mut *mut c_void;
type FreeAnalysisFn = unsafe extern "C" fn(*mut *mut c_void);
type KeysFn = unsafe extern "C" fn(*const c_void) -> *const *const c_char;
type ValueFn = unsafe extern "C" fn(*const c_void, *const c_char) -> *mut c_char;
type FreeValueFn = unsafe extern "C" fn(*mut c_char);
type SuggestFn = unsafe extern "C" fn(*mut c_void, *const c_char) -> *mut *mut c_char;
type FreeCstrArrayFn = unsafe extern "C" fn(*mut *mut c_char);

/// `VOIKKO_OPT_ACCEPT_FIRST_UPPERCASE` in `voikko_defines.h`.
const OPT_ACCEPT_FIRST_UPPERCASE: c_int = 6;

/// The library's file name (the soname of libvoikko 3.x and 4.x).
const LIBRARY_NAME: &str = "libvoikko.so.1";

/// The loaded library and the functions kirjuri uses.
pub(crate) struct VoikkoLibrary {
    init: InitFn,
    terminate: TerminateFn,
    set_boolean_option: SetBooleanOptionFn,
    analyze: AnalyzeFn,
    free_analysis: FreeAnalysisFn,
    keys: KeysFn,
    value: ValueFn,
    free_value: FreeValueFn,
    suggest: SuggestFn,
    free_cstr_array: FreeCstrArrayFn,
    /// Keeps the code the function pointers point into mapped; never unloaded before them.
    _library: libloading::Library,
}

/// One morphological analysis: the keys kirjuri reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RawAnalysis {
    /// `BASEFORM`, e.g. `digitaalipalvelukokeilu`.
    pub baseform: Option<String>,
    /// `WORDBASES`, e.g. `+digitaali+palvel(palvella)+u(+u)+kokeil(kokeilla)+u(+u)`.
    pub wordbases: Option<String>,
    /// `CLASS`, e.g. `nimisana`.
    pub class: Option<String>,
}

impl VoikkoLibrary {
    /// Loads libvoikko, or `None` when it is not installed.
    pub(crate) fn load() -> Option<Self> {
        // SAFETY: loading libvoikko runs its ELF initialisers, which only set up C++ statics;
        // it has no other load-time side effects.
        let library = unsafe { libloading::Library::new(LIBRARY_NAME) }.ok()?;
        // SAFETY: each symbol is looked up by its exact C name and given the signature declared
        // for it in libvoikko 4's `voikko.h`; the pointers stay valid because `_library` is
        // stored in the same struct and dropped last (it is the last field).
        unsafe {
            let init = *library.get::<InitFn>(b"voikkoInit\0").ok()?;
            let terminate = *library.get::<TerminateFn>(b"voikkoTerminate\0").ok()?;
            let set_boolean_option = *library.get::<SetBooleanOptionFn>(b"voikkoSetBooleanOption\0").ok()?;
            let analyze = *library.get::<AnalyzeFn>(b"voikkoAnalyzeWordCstr\0").ok()?;
            let free_analysis = *library.get::<FreeAnalysisFn>(b"voikko_free_mor_analysis\0").ok()?;
            let keys = *library.get::<KeysFn>(b"voikko_mor_analysis_keys\0").ok()?;
            let value = *library.get::<ValueFn>(b"voikko_mor_analysis_value_cstr\0").ok()?;
            let free_value = *library.get::<FreeValueFn>(b"voikko_free_mor_analysis_value_cstr\0").ok()?;
            let suggest = *library.get::<SuggestFn>(b"voikkoSuggestCstr\0").ok()?;
            let free_cstr_array = *library.get::<FreeCstrArrayFn>(b"voikkoFreeCstrArray\0").ok()?;
            Some(Self {
                init,
                terminate,
                set_boolean_option,
                analyze,
                free_analysis,
                keys,
                value,
                free_value,
                suggest,
                free_cstr_array,
                _library: library,
            })
        }
    }

    /// Opens a Finnish handle, searching `dictionary_path` first when given. `Err` holds
    /// libvoikko's message (e.g. no Finnish dictionary installed).
    pub(crate) fn open_finnish<'lib>(&'lib self, dictionary_path: Option<&Path>) -> Result<VoikkoHandle<'lib>, String> {
        let language = c"fi";
        let path = match dictionary_path {
            Some(path) => Some(
                CString::new(path.to_string_lossy().into_owned())
                    .map_err(|_| "the dictionary path contains a NUL byte".to_owned())?,
            ),
            None => None,
        };
        let mut error: *const c_char = ptr::null();
        // SAFETY: `error` is a valid out-pointer; `language` and `path` are NUL-terminated and
        // outlive the call (a null path means "standard locations", as documented).
        let handle =
            unsafe { (self.init)(&mut error, language.as_ptr(), path.as_ref().map_or(ptr::null(), |p| p.as_ptr())) };
        if handle.is_null() {
            let message = if error.is_null() {
                "voikkoInit failed".to_owned()
            } else {
                // SAFETY: on failure libvoikko points `error` at a static NUL-terminated message.
                unsafe { CStr::from_ptr(error) }.to_string_lossy().into_owned()
            };
            return Err(message);
        }
        // SAFETY: `handle` is a live handle just returned by voikkoInit.
        unsafe { (self.set_boolean_option)(handle, OPT_ACCEPT_FIRST_UPPERCASE, 1) };
        Ok(VoikkoHandle { library: self, raw: handle, _not_send: PhantomData })
    }
}

/// An initialised Finnish Voikko instance; terminated on drop. Not `Send`/`Sync`.
pub(crate) struct VoikkoHandle<'lib> {
    library: &'lib VoikkoLibrary,
    raw: *mut c_void,
    /// libvoikko handles must not be used from several threads.
    _not_send: PhantomData<*mut c_void>,
}

impl VoikkoHandle<'_> {
    /// Every analysis of `word` (empty when Voikko does not know it).
    pub(crate) fn analyze(&self, word: &str) -> Vec<RawAnalysis> {
        let Ok(word) = CString::new(word) else { return Vec::new() };
        // SAFETY: `self.raw` is live (terminated only in Drop) and used from this thread only
        // (the type is !Send); `word` is NUL-terminated UTF-8.
        let analyses = unsafe { (self.library.analyze)(self.raw, word.as_ptr()) };
        if analyses.is_null() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut index = 0;
        loop {
            // SAFETY: libvoikko returns a NULL-terminated array of analysis pointers; we stop at
            // the terminator.
            let analysis = unsafe { *analyses.add(index) };
            if analysis.is_null() {
                break;
            }
            out.push(self.read_analysis(analysis));
            index += 1;
        }
        // SAFETY: `analyses` came from voikkoAnalyzeWordCstr and is freed exactly once, after
        // the last read of it and of the key strings it owns.
        unsafe { (self.library.free_analysis)(analyses) };
        out
    }

    fn read_analysis(&self, analysis: *mut c_void) -> RawAnalysis {
        let mut raw = RawAnalysis::default();
        // SAFETY: `analysis` is a live element of the array returned by voikkoAnalyzeWordCstr;
        // the keys array is NULL-terminated and owned by it (valid until it is freed).
        let keys = unsafe { (self.library.keys)(analysis) };
        if keys.is_null() {
            return raw;
        }
        let mut index = 0;
        loop {
            // SAFETY: see above; we stop at the NULL terminator.
            let key = unsafe { *keys.add(index) };
            if key.is_null() {
                break;
            }
            index += 1;
            // SAFETY: each key is a NUL-terminated string owned by the analysis.
            let name = unsafe { CStr::from_ptr(key) }.to_bytes();
            let slot = match name {
                b"BASEFORM" => &mut raw.baseform,
                b"WORDBASES" => &mut raw.wordbases,
                b"CLASS" => &mut raw.class,
                _ => continue,
            };
            // SAFETY: `analysis` and `key` are valid as above; the returned string is ours and
            // freed with voikko_free_mor_analysis_value_cstr right after copying it.
            let value = unsafe { (self.library.value)(analysis, key) };
            if value.is_null() {
                continue;
            }
            // SAFETY: a non-null value is a NUL-terminated UTF-8 string.
            *slot = Some(unsafe { CStr::from_ptr(value) }.to_string_lossy().into_owned());
            // SAFETY: freed once, with the function libvoikko documents for it.
            unsafe { (self.library.free_value)(value) };
        }
        raw
    }

    /// Spelling suggestions for `word`, best first (slow: about 1–2 ms; query time only).
    pub(crate) fn suggest(&self, word: &str) -> Vec<String> {
        let Ok(word) = CString::new(word) else { return Vec::new() };
        // SAFETY: as in `analyze`.
        let suggestions = unsafe { (self.library.suggest)(self.raw, word.as_ptr()) };
        if suggestions.is_null() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut index = 0;
        loop {
            // SAFETY: a NULL-terminated array of NUL-terminated strings, read up to the end.
            let suggestion = unsafe { *suggestions.add(index) };
            if suggestion.is_null() {
                break;
            }
            // SAFETY: as above.
            out.push(unsafe { CStr::from_ptr(suggestion) }.to_string_lossy().into_owned());
            index += 1;
        }
        // SAFETY: the array came from voikkoSuggestCstr and is freed once, after the last read.
        unsafe { (self.library.free_cstr_array)(suggestions) };
        out
    }
}

impl Drop for VoikkoHandle<'_> {
    fn drop(&mut self) {
        // SAFETY: `raw` came from voikkoInit and is terminated exactly once, here.
        unsafe { (self.library.terminate)(self.raw) };
    }
}
