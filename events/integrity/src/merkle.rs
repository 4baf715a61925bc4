//! The RFC 9162 Merkle tree: hashes, the compact frontier, and inclusion and consistency proofs.
//!
//! Leaf hash `SHA-256(0x00 ‖ bytes)`, node hash `SHA-256(0x01 ‖ left ‖ right)`, the empty tree's
//! root `SHA-256("")`. Proofs are made from any [`NodeSource`] holding the hashes of the tree's
//! perfect subtrees, and checked by the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2, which
//! refuse a proof for the wrong leaf, one too short or too long, a size of 0 or an index past
//! the size, and a root from another tree.

use aws_lc_rs::digest::{Context, SHA256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// `SHA-256(0x00 ‖ bytes)`.
pub fn leaf_hash(bytes: &[u8]) -> Hash {
    let mut context = Context::new(&SHA256);
    context.update(&[0]);
    context.update(bytes);
    finish(context)
}

/// `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut context = Context::new(&SHA256);
    context.update(&[1]);
    context.update(left);
    context.update(right);
    finish(context)
}

/// The root of the empty tree, `SHA-256("")`.
pub fn empty_root() -> Hash {
    finish(Context::new(&SHA256))
}

fn finish(context: Context) -> Hash {
    let mut hash = [0; 32];
    hash.copy_from_slice(context.finish().as_ref());
    hash
}

/// Lower-case hex of a hash.
pub fn hex(hash: &Hash) -> String {
    use std::fmt::Write as _;
    hash.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A hash from 64 hex digits (as [`hex`] writes it).
pub fn from_hex(text: &str) -> Option<Hash> {
    if text.len() != 64 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..64).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect();
    bytes?.try_into().ok()
}

/// The largest power of two strictly below `n` (`n` ≥ 2).
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// The right edge of a tree being built leaf by leaf: the roots of its perfect subtrees, largest
/// first. Holds at most 64 hashes whatever the size, so a whole log is hashed in constant memory.
#[derive(Debug, Clone, Default)]
pub struct Frontier {
    size: u64,
    /// (height, hash) of each perfect subtree on the right edge, tallest first.
    peaks: Vec<(u32, Hash)>,
}

impl Frontier {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many leaves it holds.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf's hash; calls `completed(height, index, hash)` for every perfect subtree it
    /// completes (height 0 is the leaf itself), so a caller can keep them.
    pub fn push_with(&mut self, leaf: Hash, mut completed: impl FnMut(u32, u64, &Hash)) {
        let index = self.size;
        completed(0, index, &leaf);
        let mut current = (0u32, leaf);
        while let Some(&(height, left)) = self.peaks.last() {
            if height != current.0 {
                break;
            }
            self.peaks.pop();
            let parent = node_hash(&left, &current.1);
            let level = height + 1;
            completed(level, index >> level, &parent);
            current = (level, parent);
        }
        self.peaks.push(current);
        self.size += 1;
    }

    /// Appends a leaf's hash.
    pub fn push(&mut self, leaf: Hash) {
        self.push_with(leaf, |_, _, _| {});
    }

    /// The root of the tree so far.
    pub fn root(&self) -> Hash {
        let mut peaks = self.peaks.iter().rev();
        let Some((_, last)) = peaks.next() else {
            return empty_root();
        };
        peaks.fold(*last, |right, (_, left)| node_hash(left, &right))
    }

    /// The frontier of a tree of `size` leaves, from its perfect subtrees in `source`.
    pub fn load<S: NodeSource>(source: &S, size: u64) -> Result<Self, S::Error> {
        let mut peaks = Vec::new();
        let mut start = 0u64;
        for height in (0..64u32).rev() {
            if size & (1 << height) != 0 {
                peaks.push((height, source.node(height, start >> height)?));
                start += 1 << height;
            }
        }
        Ok(Self { size, peaks })
    }
}

/// Where proofs find the hashes of perfect subtrees: `node(height, index)` is the root of leaves
/// `index × 2^height .. (index + 1) × 2^height`.
pub trait NodeSource {
    /// Why a hash could not be read.
    type Error;
    /// The perfect subtree's root.
    fn node(&self, height: u32, index: u64) -> Result<Hash, Self::Error>;
}

/// `MTH(D[start..end])` for a range the RFC's recursion produces.
pub fn subtree_root<S: NodeSource>(source: &S, start: u64, end: u64) -> Result<Hash, S::Error> {
    let len = end - start;
    if len.is_power_of_two() && start.is_multiple_of(len) {
        return source.node(len.trailing_zeros(), start / len);
    }
    let k = split(len);
    let left = subtree_root(source, start, start + k)?;
    let right = subtree_root(source, start + k, end)?;
    Ok(node_hash(&left, &right))
}

/// The root of the tree of the first `size` leaves.
pub fn root_at<S: NodeSource>(source: &S, size: u64) -> Result<Hash, S::Error> {
    if size == 0 { Ok(empty_root()) } else { subtree_root(source, 0, size) }
}

/// The audit path of leaf `index` in the tree of the first `size` leaves (RFC 9162 §2.1.3.1);
/// the caller checks `index < size`.
pub fn inclusion_proof<S: NodeSource>(source: &S, index: u64, size: u64) -> Result<Vec<Hash>, S::Error> {
    let mut path = Vec::new();
    path_of(source, index, 0, size, &mut path)?;
    Ok(path)
}

fn path_of<S: NodeSource>(source: &S, m: u64, start: u64, end: u64, path: &mut Vec<Hash>) -> Result<(), S::Error> {
    let n = end - start;
    if n <= 1 {
        return Ok(());
    }
    let k = split(n);
    if m < k {
        path_of(source, m, start, start + k, path)?;
        path.push(subtree_root(source, start + k, end)?);
    } else {
        path_of(source, m - k, start + k, end, path)?;
        path.push(subtree_root(source, start, start + k)?);
    }
    Ok(())
}

/// The consistency proof between the trees of the first `old` and `new` leaves (RFC 9162
/// §2.1.4.1); empty when `old` is 0 or equals `new`. The caller checks `old ≤ new`.
pub fn consistency_proof<S: NodeSource>(source: &S, old: u64, new: u64) -> Result<Vec<Hash>, S::Error> {
    let mut proof = Vec::new();
    if old > 0 && old < new {
        subproof(source, old, 0, new, true, &mut proof)?;
    }
    Ok(proof)
}

fn subproof<S: NodeSource>(
    source: &S,
    m: u64,
    start: u64,
    end: u64,
    whole: bool,
    proof: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    let n = end - start;
    if m == n {
        if !whole {
            proof.push(subtree_root(source, start, end)?);
        }
        return Ok(());
    }
    let k = split(n);
    if m <= k {
        subproof(source, m, start, start + k, whole, proof)?;
        proof.push(subtree_root(source, start + k, end)?);
    } else {
        subproof(source, m - k, start + k, end, false, proof)?;
        proof.push(subtree_root(source, start, start + k)?);
    }
    Ok(())
}

/// Why a proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The tree size cannot hold the leaf (size 0, or index at or past it).
    #[error("leaf index {index} is not in a tree of {size} leaves")]
    IndexOutOfRange {
        /// The leaf's index.
        index: u64,
        /// The tree's size.
        size: u64,
    },
    /// The sizes are not `0 < old ≤ new`.
    #[error("a consistency proof needs 0 < old ≤ new, got old {old} and new {new}")]
    BadSizes {
        /// The older size.
        old: u64,
        /// The newer size.
        new: u64,
    },
    /// The path has the wrong number of hashes for this index and size.
    #[error("the proof has {got} hashes, {expected}")]
    WrongLength {
        /// How many it has.
        got: usize,
        /// What was expected, in words.
        expected: &'static str,
    },
    /// The recomputed root differs from the one claimed.
    #[error("the proof leads to root {computed}, not the claimed {claimed}")]
    RootMismatch {
        /// Hex of the recomputed root.
        computed: String,
        /// Hex of the claimed root.
        claimed: String,
    },
    /// The recomputed old root differs from the one claimed.
    #[error("the proof leads to old root {computed}, not the claimed {claimed}")]
    OldRootMismatch {
        /// Hex of the recomputed root.
        computed: String,
        /// Hex of the claimed root.
        claimed: String,
    },
}

/// Checks that `leaf` (a leaf hash) is leaf `index` of the tree of `size` leaves whose root is
/// `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(ProofError::WrongLength { got: proof.len(), expected: "fewer were expected" });
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength { got: proof.len(), expected: "more were expected" });
    }
    if r != *root {
        return Err(ProofError::RootMismatch { computed: hex(&r), claimed: hex(root) });
    }
    Ok(())
}

/// Checks that the tree of `old` leaves with root `old_root` is a prefix of the tree of `new`
/// leaves with root `new_root` (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal
/// roots.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old == 0 || old > new {
        return Err(ProofError::BadSizes { old, new });
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength { got: proof.len(), expected: "none were expected for equal sizes" });
        }
        if old_root != new_root {
            return Err(ProofError::RootMismatch { computed: hex(old_root), claimed: hex(new_root) });
        }
        return Ok(());
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength { got: 0, expected: "at least one was expected" });
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut fnode, mut snode) = (old - 1, new - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snode == 0 {
            return Err(ProofError::WrongLength { got: proof.len(), expected: "fewer were expected" });
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength { got: proof.len(), expected: "more were expected" });
    }
    if fr != *old_root {
        return Err(ProofError::OldRootMismatch { computed: hex(&fr), claimed: hex(old_root) });
    }
    if sr != *new_root {
        return Err(ProofError::RootMismatch { computed: hex(&sr), claimed: hex(new_root) });
    }
    Ok(())
}

/// Perfect subtrees kept in memory, for tests and small trees.
#[derive(Debug, Default, Clone)]
pub struct MemoryTree {
    levels: Vec<Vec<Hash>>,
    frontier: Frontier,
}

impl MemoryTree {
    /// A tree of these leaf hashes.
    pub fn from_leaves(leaves: impl IntoIterator<Item = Hash>) -> Self {
        let mut tree = Self::default();
        for leaf in leaves {
            tree.push(leaf);
        }
        tree
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let levels = &mut self.levels;
        self.frontier.push_with(leaf, |height, index, hash| {
            let height = height as usize;
            if levels.len() <= height {
                levels.resize_with(height + 1, Vec::new);
            }
            debug_assert_eq!(levels[height].len() as u64, index);
            levels[height].push(*hash);
        });
    }

    /// How many leaves.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The current root.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }
}

impl NodeSource for MemoryTree {
    type Error = std::convert::Infallible;
    fn node(&self, height: u32, index: u64) -> Result<Hash, Self::Error> {
        Ok(self.levels[height as usize][index as usize])
    }
}

#[cfg(test)]
mod tests;
