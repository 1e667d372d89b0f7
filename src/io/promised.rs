//! How long a file must be to hold what its header describes, for the formats whose libraries
//! read the missing part of a truncated file as zeros (classic netCDF: the library treats the
//! file as sparse) or refuse it with a message about something else (HDF5, and netCDF-4 through
//! it: "NetCDF: HDF error"). flow compares a file's length with this while checking, and again
//! after every block it reads (`io::read_block`), so a file cut short before or during a run is
//! reported, never read as zeros.
//!
//! - Classic netCDF (CDF-1, CDF-2 and CDF-5: NETCDF3_CLASSIC, NETCDF3_64BIT_OFFSET and
//!   NETCDF3_64BIT_DATA), as its format specification lays the header out: big-endian;
//!   `magic numrecs dim_list gatt_list var_list`, each variable ending in its type, its size and
//!   where its data begins. The length is where the last variable's data ends.
//! - HDF5: the superblock's end-of-file address (the one HDF5 checks when it opens a file),
//!   after any user block.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// How long the file at `path` must be to hold everything its header describes; `None` when it
/// is neither classic netCDF nor HDF5, or its header cannot be followed (the library then says
/// what is wrong).
pub fn promised_length(path: &Path) -> Option<u64> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut magic = [0u8; 4];
    file.read_exact(&mut magic).ok()?;
    let version = match &magic {
        [b'C', b'D', b'F', version @ (1 | 2 | 5)] => *version,
        _ => return hdf5_end(&mut file),
    };
    // A header is small; read at most 64 MiB of it (a file of that many attributes is refused
    // by the library anyway).
    let mut bytes = magic.to_vec();
    file.take(64 << 20).read_to_end(&mut bytes).ok()?;
    Header::new(&bytes, version).length()
}

const HDF5_SIGNATURE: [u8; 8] = [0x89, b'H', b'D', b'F', b'\r', b'\n', 0x1a, b'\n'];

/// The end of an HDF5 file: its superblock (at 0, 512, 1024, 2048, … after a user block) gives
/// a base address and the end-of-file address relative to it.
fn hdf5_end(file: &mut std::fs::File) -> Option<u64> {
    let size = file.metadata().ok()?.len();
    let mut at = 0u64;
    while at < size {
        let mut block = [0u8; 48];
        file.seek(SeekFrom::Start(at)).ok()?;
        let n = read_up_to(file, &mut block)?;
        if n >= 8 && block[..8] == HDF5_SIGNATURE {
            return superblock_end(&block[..n]);
        }
        at = if at == 0 { 512 } else { at.checked_mul(2)? };
    }
    None
}

fn read_up_to(file: &mut std::fs::File, buffer: &mut [u8]) -> Option<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]).ok()? {
            0 => break,
            n => filled += n,
        }
    }
    Some(filled)
}

/// The end-of-file address of a superblock.
fn superblock_end(block: &[u8]) -> Option<u64> {
    let version = *block.get(8)?;
    // Where the size of offsets is, and where the addresses (base address first) start.
    let (offset_size_at, base_at) = match version {
        0 => (13, 24),
        1 => (13, 28),
        2 | 3 => (9, 12),
        _ => return None,
    };
    let offset_size = *block.get(offset_size_at)? as usize;
    if !matches!(offset_size, 2 | 4 | 8) {
        return None;
    }
    let address = |index: usize| -> Option<u64> {
        let start = base_at + index * offset_size;
        let bytes = block.get(start..start + offset_size)?;
        Some(bytes.iter().rev().fold(0u64, |a, &b| a << 8 | b as u64))
    };
    // v0/v1: base, free-space info, end of file; v2/v3: base, superblock extension, end of
    // file. HDF5 compares the stored end with the file's whole length (user block included),
    // and so does flow.
    address(2)
}

struct Header<'a> {
    bytes: &'a [u8],
    at: usize,
    /// CDF-5 counts in 8 bytes.
    wide_counts: bool,
    /// CDF-2 and CDF-5 give offsets in 8 bytes.
    wide_offsets: bool,
}

const ABSENT: u64 = 0;
const NC_DIMENSION: u64 = 0x0A;
const NC_VARIABLE: u64 = 0x0B;
const NC_ATTRIBUTE: u64 = 0x0C;
const STREAMING: u64 = 0xFFFF_FFFF;

/// Bytes per value of a netCDF type (1 byte … 11 uint64).
fn type_size(nc_type: u64) -> Option<u64> {
    Some(match nc_type {
        1 | 2 | 7 => 1,
        3 | 8 => 2,
        4 | 5 | 9 => 4,
        6 | 10 | 11 => 8,
        _ => return None,
    })
}

fn padded(n: u64) -> Option<u64> {
    n.checked_add(3).map(|n| n & !3)
}

impl<'a> Header<'a> {
    fn new(bytes: &'a [u8], version: u8) -> Header<'a> {
        Header {
            bytes,
            at: 4,
            wide_counts: version == 5,
            wide_offsets: version != 1,
        }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let bytes = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(bytes)
    }

    fn u32(&mut self) -> Option<u64> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?) as u64)
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }

    fn count(&mut self) -> Option<u64> {
        if self.wide_counts {
            self.u64()
        } else {
            self.u32()
        }
    }

    fn offset(&mut self) -> Option<u64> {
        if self.wide_offsets {
            self.u64()
        } else {
            self.u32()
        }
    }

    fn skip(&mut self, n: u64) -> Option<()> {
        self.take(usize::try_from(n).ok()?).map(|_| ())
    }

    fn name(&mut self) -> Option<()> {
        let len = self.count()?;
        self.skip(padded(len)?)
    }

    /// A list's tag and length (`ABSENT` is a zero tag and a zero length).
    fn list(&mut self, tag: u64) -> Option<u64> {
        let (found, n) = (self.u32()?, self.count()?);
        match found {
            ABSENT if n == 0 => Some(0),
            found if found == tag => Some(n),
            _ => None,
        }
    }

    fn attributes(&mut self) -> Option<()> {
        for _ in 0..self.list(NC_ATTRIBUTE)? {
            self.name()?;
            let size = type_size(self.u32()?)?;
            let n = self.count()?;
            self.skip(padded(n.checked_mul(size)?)?)?;
        }
        Some(())
    }

    fn length(mut self) -> Option<u64> {
        let numrecs = self.count()?;
        let mut dims = Vec::new();
        for _ in 0..self.list(NC_DIMENSION)? {
            self.name()?;
            dims.push(self.count()?);
        }
        let record_dim = dims.iter().position(|&len| len == 0);
        self.attributes()?;
        // (begin, bytes of one instance: the whole variable, or one record of it, is record)
        let mut variables: Vec<(u64, u64, bool)> = Vec::new();
        for _ in 0..self.list(NC_VARIABLE)? {
            self.name()?;
            let ndims = self.count()?;
            let mut ids = Vec::new();
            for _ in 0..ndims {
                ids.push(self.count()?);
            }
            self.attributes()?;
            let size = type_size(self.u32()?)?;
            let _vsize = self.count()?;
            let begin = self.offset()?;
            let record = ids
                .first()
                .is_some_and(|&id| Some(id as usize) == record_dim);
            let mut bytes = size;
            for &id in &ids[record as usize..] {
                bytes = bytes.checked_mul(*dims.get(id as usize)?)?;
            }
            variables.push((begin, bytes, record));
        }
        let mut length = self.at as u64;
        let records: Vec<&(u64, u64, bool)> = variables.iter().filter(|v| v.2).collect();
        // One record holds every record variable, each padded to 4 bytes, except when there is
        // only one record variable (then records are not padded).
        let record_size = match records.as_slice() {
            [(_, bytes, _)] => *bytes,
            many => many
                .iter()
                .try_fold(0u64, |sum, v| sum.checked_add(padded(v.1)?))?,
        };
        for &(begin, bytes, record) in &variables {
            let end = if !record {
                begin.checked_add(bytes)?
            } else if numrecs == 0 || numrecs == STREAMING {
                continue;
            } else {
                begin
                    .checked_add((numrecs - 1).checked_mul(record_size)?)?
                    .checked_add(bytes)?
            };
            length = length.max(end);
        }
        Some(length)
    }
}
