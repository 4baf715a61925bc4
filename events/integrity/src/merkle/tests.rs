//! Tests for the RFC 9162 Merkle tree: the RFC 6962 reference vectors, the transparency-dev
//! golden proof probes, every proof of every tree up to 70 leaves checked against a reference
//! written straight from the RFC's definitions, and proofs tampered with in every way a
//! verifier has to notice.

use std::convert::Infallible;
use std::fmt::Write as _;

use super::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn nibble(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => panic!("{:?} is not a hex digit", char::from(digit)),
    }
}

/// Decodes hex of any even length.
fn bytes(hex: &str) -> Vec<u8> {
    let pairs = hex.as_bytes().chunks_exact(2);
    assert!(pairs.remainder().is_empty(), "{hex:?} has an odd number of hex digits");
    pairs.map(|pair| (nibble(pair[0]) << 4) | nibble(pair[1])).collect()
}

/// Decodes the hex of a 32-byte hash.
fn h(hex: &str) -> Hash {
    Hash::try_from(bytes(hex)).expect("a hash is 64 hex digits")
}

fn hashes(hexes: &[&str]) -> Vec<Hash> {
    hexes.iter().copied().map(h).collect()
}

/// Unwraps what a [`MemoryTree`] returns: it cannot fail.
fn ok<T>(result: Result<T, Infallible>) -> T {
    match result {
        Ok(value) => value,
        Err(never) => match never {},
    }
}

/// Plain SHA-256, without the RFC's 0x00 / 0x01 prefix.
fn sha256(data: &[u8]) -> Hash {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    Hash::try_from(digest.as_ref()).expect("SHA-256 gives 32 bytes")
}

/// Leaf hashes `leaf_hash(i as 8 big-endian bytes)` for `i` in `0..count`.
fn numbered_leaves(count: u64) -> Vec<Hash> {
    (0..count).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

/// The same number of leaves with other contents: a tree of the same shape and other roots.
fn other_leaves(count: u64) -> Vec<Hash> {
    (0..count).map(|i| leaf_hash(format!("another log, entry {i}").as_bytes())).collect()
}

/// The first `size` leaves as a slice.
fn prefix(leaves: &[Hash], size: u64) -> &[Hash] {
    &leaves[..usize::try_from(size).expect("a test tree fits in memory")]
}

fn leaf_at(leaves: &[Hash], index: u64) -> &Hash {
    &leaves[usize::try_from(index).expect("a test tree fits in memory")]
}

/// Roots of the trees of the first 0, 1, …, `leaves.len()` leaves, each from a [`MemoryTree`]
/// holding only those leaves.
fn prefix_roots(leaves: &[Hash]) -> Vec<Hash> {
    (0..=leaves.len()).map(|n| MemoryTree::from_leaves(leaves[..n].iter().copied()).root()).collect()
}

/// Flips bit `bit` (0 = the lowest bit of the first byte) of a hash.
fn flip(hash: &Hash, bit: usize) -> Hash {
    let mut flipped = *hash;
    flipped[bit / 8] ^= 1 << (bit % 8);
    flipped
}

fn is_root_mismatch<T: std::fmt::Debug>(result: &Result<T, ProofError>) -> bool {
    matches!(result, Err(ProofError::RootMismatch { .. } | ProofError::OldRootMismatch { .. }))
}

// ---------------------------------------------------------------------------------------------
// A reference implementation written straight from RFC 9162 §2.1 (slices and recursion), to
// check the module's proofs from perfect-subtree lookups against for every size.
// ---------------------------------------------------------------------------------------------

/// The largest power of two smaller than `n` (`n` ≥ 2), computed the slow way.
fn reference_split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n]) (RFC 9162 §2.1.1).
fn reference_root(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => empty_root(),
        [leaf] => *leaf,
        _ => {
            let k = reference_split(leaves.len());
            node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
        }
    }
}

/// PATH(m, D[n]) (RFC 9162 §2.1.3.1).
fn reference_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    if leaves.len() <= 1 {
        return Vec::new();
    }
    let k = reference_split(leaves.len());
    let (mut path, sibling) = if m < k {
        (reference_path(m, &leaves[..k]), reference_root(&leaves[k..]))
    } else {
        (reference_path(m - k, &leaves[k..]), reference_root(&leaves[..k]))
    };
    path.push(sibling);
    path
}

/// SUBPROOF(m, D[n], b) (RFC 9162 §2.1.4.1); PROOF(m, D[n]) is `reference_subproof(m, D, true)`.
fn reference_subproof(m: usize, leaves: &[Hash], complete: bool) -> Vec<Hash> {
    let n = leaves.len();
    if m == n {
        return if complete { Vec::new() } else { vec![reference_root(leaves)] };
    }
    let k = reference_split(n);
    let (mut proof, other) = if m <= k {
        (reference_subproof(m, &leaves[..k], complete), reference_root(&leaves[k..]))
    } else {
        (reference_subproof(m - k, &leaves[k..], false), reference_root(&leaves[..k]))
    };
    proof.push(other);
    proof
}

// ---------------------------------------------------------------------------------------------
// RFC 6962 reference vectors.
//
// From github.com/transparency-dev/merkle (snapshot at commit 417fb0c314750d94e53942e9f92e79b6d35915db):
// `testonly/constants.go` (LeafInputs, NodeHashes, RootHashes, CompactTrees, EmptyRootHash),
// `testonly/reference_test.go` (TestRefInclusionProof, TestRefConsistencyProof),
// `proof/verify_test.go` as of commit 022f84cb1f2655a4399874cfa190c3f1d60b32a8 (inclusionProofs,
// whose leaf numbers are 1-based there, consistencyProofs, sha256SomeHash) and
// `rfc6962/rfc6962_test.go` (TestRFC6962Hasher). `Nh_i` is NodeHashes()[h][i], the root of
// leaves i·2^h .. (i+1)·2^h of the tree of the eight LeafInputs().
// ---------------------------------------------------------------------------------------------

/// LeafInputs(): the data of the eight leaves, as hex.
const LEAF_INPUTS: [&str; 8] =
    ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

const N0_0: &str = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";
const N0_1: &str = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7";
const N0_2: &str = "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7";
const N0_3: &str = "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7";
const N0_4: &str = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b";
const N0_5: &str = "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658";
const N0_6: &str = "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f";
const N0_7: &str = "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1";
const N1_0: &str = "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125";
const N1_1: &str = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e";
const N1_2: &str = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a";
const N1_3: &str = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0";
const N2_0: &str = "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7";
const N2_1: &str = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4";
const N3_0: &str = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";

/// NodeHashes(), by height then index.
const NODE_HASHES: [&[&str]; 4] =
    [&[N0_0, N0_1, N0_2, N0_3, N0_4, N0_5, N0_6, N0_7], &[N1_0, N1_1, N1_2, N1_3], &[N2_0, N2_1], &[N3_0]];

/// EmptyRootHash(): SHA-256 of nothing.
const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const ROOT3: &str = "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77";
const ROOT5: &str = "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4";
const ROOT6: &str = "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef";
const ROOT7: &str = "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c";

/// RootHashes(): the roots of the trees of the first 0..=8 leaves.
const ROOTS: [&str; 9] = [EMPTY, N0_0, N1_0, ROOT3, N2_0, ROOT5, ROOT6, ROOT7, N3_0];

/// CompactTrees(): the roots of the perfect subtrees on the right edge, tallest first.
const COMPACT_TREES: [&[&str]; 9] =
    [&[], &[N0_0], &[N1_0], &[N1_0, N0_2], &[N2_0], &[N2_0, N0_4], &[N2_0, N1_2], &[N2_0, N1_2, N0_6], &[N3_0]];

/// sha256SomeHash: a hash of no tree, for a random root or an inserted path element.
const SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

/// (leaf index, tree size, audit path): TestRefInclusionProof, plus leaf 3 of 3 from
/// inclusionProofs.
const REFERENCE_INCLUSION_PROOFS: &[(u64, u64, &[&str])] = &[
    (0, 1, &[]),
    (0, 2, &[N0_1]),
    (1, 2, &[N0_0]),
    (2, 3, &[N1_0]),
    (1, 5, &[N0_0, N1_1, N0_4]),
    (0, 8, &[N0_1, N1_1, N2_1]),
    (5, 8, &[N0_4, N1_3, N2_0]),
];

/// (old size, new size, proof): TestRefConsistencyProof, plus 6 → 7 from consistencyProofs.
const REFERENCE_CONSISTENCY_PROOFS: &[(u64, u64, &[&str])] = &[
    (1, 1, &[]),
    (1, 8, &[N0_1, N1_1, N2_1]),
    (2, 5, &[N1_1, N0_4]),
    (6, 8, &[N1_2, N1_3, N2_0]),
    (6, 7, &[N1_2, N0_6, N2_0]),
];

fn reference_leaves() -> Vec<Hash> {
    LEAF_INPUTS.iter().map(|input| leaf_hash(&bytes(input))).collect()
}

fn reference_tree() -> MemoryTree {
    MemoryTree::from_leaves(reference_leaves())
}

// ---------------------------------------------------------------------------------------------
// The transparency-dev golden probes: `testdata/inclusion/**/*.json` and
// `testdata/consistency/**/*.json` of github.com/transparency-dev/merkle (commit
// 417fb0c314750d94e53942e9f92e79b6d35915db), run there by TestVerifyInclusionProbes and
// TestVerifyConsistencyProbes in `proof/verify_test.go`. The JSON holds base64; the values are
// copied here as hex, through the names above where they are one of the reference hashes. The
// probes whose leaf, roots or path hold a value that is not 32 bytes ("garbage", "wrong-root",
// the empty byte strings of `single-entry` and `additional`) cannot be expressed with `Hash`
// and are left out; the cases they stand for are in the tests further down.
// ---------------------------------------------------------------------------------------------

struct InclusionProbe {
    name: &'static str,
    index: u64,
    size: u64,
    leaf: &'static str,
    root: &'static str,
    path: &'static [&'static str],
    valid: bool,
}

const fn inclusion(
    name: &'static str,
    index: u64,
    size: u64,
    leaf: &'static str,
    root: &'static str,
    path: &'static [&'static str],
    valid: bool,
) -> InclusionProbe {
    InclusionProbe { name, index, size, leaf, root, path, valid }
}

struct ConsistencyProbe {
    name: &'static str,
    old: u64,
    new: u64,
    old_root: &'static str,
    new_root: &'static str,
    proof: &'static [&'static str],
    valid: bool,
}

const fn consistency(
    name: &'static str,
    old: u64,
    new: u64,
    old_root: &'static str,
    new_root: &'static str,
    proof: &'static [&'static str],
    valid: bool,
) -> ConsistencyProbe {
    ConsistencyProbe { name, old, new, old_root, new_root, proof, valid }
}

/// `"wantErr": false`.
const VALID: bool = true;
/// `"wantErr": true`.
const REFUSED: bool = false;

// `Nh_i_BITb` is `Nh_i` with bit b flipped (bit 0 is the lowest bit of the first byte): the path
// elements of the probes named `modified-proof…-bit-@b`.
const N0_0_BIT3: &str = "66340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";
const N0_1_BIT3: &str = "9ea296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7";
const N0_1_BIT4: &str = "86a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7";
const N0_4_BIT3: &str = "b41a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b";
const N0_4_BIT4: &str = "ac1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b";
const N0_6_BIT4: &str = "a08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f";
const N1_0_BIT3: &str = "f2c54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125";
const N1_1_BIT3: &str = "57083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e";
const N1_1_BIT4: &str = "4f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e";
const N1_2_BIT4: &str = "1ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a";
const N1_3_BIT3: &str = "c2854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0";
const N1_3_BIT4: &str = "da854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0";
const N2_0_BIT3: &str = "db7ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7";
const N2_0_BIT4: &str = "c37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7";
const N2_1_BIT3: &str = "6347aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4";
const N2_1_BIT4: &str = "7b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4";
/// The leaf hash, and so the root, of the tree of one leaf in `single-entry/matching-root-and-leaf`.
const SINGLE_ENTRY: &str = "0d3aed023148ffd2a259fbd0cdc7fb3cf975658760d3775b82af6f90aacc2dfc";

const INCLUSION_PROBES: &[InclusionProbe] = &[
    inclusion("0/empty-root", 0, 1, N0_0, EMPTY, &[], REFUSED),
    inclusion("0/happy-path", 0, 1, N0_0, N0_0, &[], VALID),
    inclusion("0/leafIdx-XOR-@2", 2, 1, N0_0, N0_0, &[], REFUSED),
    inclusion("0/leafIdx-plus-@1", 1, 1, N0_0, N0_0, &[], REFUSED),
    inclusion("0/leafIdx-sub-@1", u64::MAX, 1, N0_0, N0_0, &[], REFUSED),
    inclusion("0/preceding-root", 0, 1, N0_0, N0_0, &[N0_0], REFUSED),
    inclusion("0/random-root", 0, 1, N0_0, SOME_HASH, &[], REFUSED),
    inclusion("0/trailing-root", 0, 1, N0_0, N0_0, &[N0_0], REFUSED),
    inclusion("0/treeSize-div-@2", 0, 0, N0_0, N0_0, &[], REFUSED),
    inclusion("0/treeSize-mul-@2", 0, 2, N0_0, N0_0, &[], REFUSED),
    inclusion("1/empty-root", 0, 8, N0_0, EMPTY, &[N0_1, N1_1, N2_1], REFUSED),
    inclusion("1/happy-path", 0, 8, N0_0, N3_0, &[N0_1, N1_1, N2_1], VALID),
    inclusion("1/inserted-component", 0, 8, N0_0, N3_0, &[N0_1, SOME_HASH, N1_1, N2_1], REFUSED),
    inclusion("1/leafIdx-XOR-@2", 2, 8, N0_0, N3_0, &[N0_1, N1_1, N2_1], REFUSED),
    inclusion("1/leafIdx-plus-@1", 1, 8, N0_0, N3_0, &[N0_1, N1_1, N2_1], REFUSED),
    inclusion("1/leafIdx-sub-@1", u64::MAX, 8, N0_0, N3_0, &[N0_1, N1_1, N2_1], REFUSED),
    inclusion("1/modified-proof[0]-bit-@3", 0, 8, N0_0, N3_0, &[N0_1_BIT3, N1_1, N2_1], REFUSED),
    inclusion("1/modified-proof[1]-bit-@3", 0, 8, N0_0, N3_0, &[N0_1, N1_1_BIT3, N2_1], REFUSED),
    inclusion("1/modified-proof[2]-bit-@3", 0, 8, N0_0, N3_0, &[N0_1, N1_1, N2_1_BIT3], REFUSED),
    inclusion("1/preceding-root", 0, 8, N0_0, N3_0, &[N3_0, N0_1, N1_1, N2_1], REFUSED),
    inclusion("1/random-root", 0, 8, N0_0, SOME_HASH, &[N0_1, N1_1, N2_1], REFUSED),
    inclusion("1/removed-component", 0, 8, N0_0, N3_0, &[N0_1, N1_1], REFUSED),
    inclusion("1/trailing-root", 0, 8, N0_0, N3_0, &[N0_1, N1_1, N2_1, N3_0], REFUSED),
    inclusion("1/treeSize-div-@2", 0, 4, N0_0, N3_0, &[N0_1, N1_1, N2_1], REFUSED),
    inclusion("1/treeSize-mul-@2", 0, 16, N0_0, N3_0, &[N0_1, N1_1, N2_1], REFUSED),
    inclusion("2/empty-root", 5, 8, N0_5, EMPTY, &[N0_4, N1_3, N2_0], REFUSED),
    inclusion("2/happy-path", 5, 8, N0_5, N3_0, &[N0_4, N1_3, N2_0], VALID),
    inclusion("2/inserted-component", 5, 8, N0_5, N3_0, &[N0_4, SOME_HASH, N1_3, N2_0], REFUSED),
    inclusion("2/leafIdx-XOR-@2", 7, 8, N0_5, N3_0, &[N0_4, N1_3, N2_0], REFUSED),
    inclusion("2/leafIdx-plus-@1", 6, 8, N0_5, N3_0, &[N0_4, N1_3, N2_0], REFUSED),
    inclusion("2/leafIdx-sub-@1", 4, 8, N0_5, N3_0, &[N0_4, N1_3, N2_0], REFUSED),
    inclusion("2/modified-proof[0]-bit-@3", 5, 8, N0_5, N3_0, &[N0_4_BIT3, N1_3, N2_0], REFUSED),
    inclusion("2/modified-proof[1]-bit-@3", 5, 8, N0_5, N3_0, &[N0_4, N1_3_BIT3, N2_0], REFUSED),
    inclusion("2/modified-proof[2]-bit-@3", 5, 8, N0_5, N3_0, &[N0_4, N1_3, N2_0_BIT3], REFUSED),
    inclusion("2/preceding-root", 5, 8, N0_5, N3_0, &[N3_0, N0_4, N1_3, N2_0], REFUSED),
    inclusion("2/random-root", 5, 8, N0_5, SOME_HASH, &[N0_4, N1_3, N2_0], REFUSED),
    inclusion("2/removed-component", 5, 8, N0_5, N3_0, &[N0_4, N1_3], REFUSED),
    inclusion("2/trailing-root", 5, 8, N0_5, N3_0, &[N0_4, N1_3, N2_0, N3_0], REFUSED),
    inclusion("2/treeSize-div-@2", 5, 4, N0_5, N3_0, &[N0_4, N1_3, N2_0], REFUSED),
    inclusion("2/treeSize-mul-@2", 5, 16, N0_5, N3_0, &[N0_4, N1_3, N2_0], REFUSED),
    inclusion("3/empty-root", 2, 3, N0_2, EMPTY, &[N1_0], REFUSED),
    inclusion("3/happy-path", 2, 3, N0_2, ROOT3, &[N1_0], VALID),
    inclusion("3/leafIdx-XOR-@2", 0, 3, N0_2, ROOT3, &[N1_0], REFUSED),
    inclusion("3/leafIdx-plus-@1", 3, 3, N0_2, ROOT3, &[N1_0], REFUSED),
    inclusion("3/leafIdx-sub-@1", 1, 3, N0_2, ROOT3, &[N1_0], REFUSED),
    inclusion("3/modified-proof[0]-bit-@3", 2, 3, N0_2, ROOT3, &[N1_0_BIT3], REFUSED),
    inclusion("3/preceding-root", 2, 3, N0_2, ROOT3, &[ROOT3, N1_0], REFUSED),
    inclusion("3/random-root", 2, 3, N0_2, SOME_HASH, &[N1_0], REFUSED),
    inclusion("3/removed-component", 2, 3, N0_2, ROOT3, &[], REFUSED),
    inclusion("3/trailing-root", 2, 3, N0_2, ROOT3, &[N1_0, ROOT3], REFUSED),
    inclusion("3/treeSize-div-@2", 2, 1, N0_2, ROOT3, &[N1_0], REFUSED),
    inclusion("3/treeSize-mul-@2", 2, 6, N0_2, ROOT3, &[N1_0], REFUSED),
    inclusion("4/empty-root", 1, 5, N0_1, EMPTY, &[N0_0, N1_1, N0_4], REFUSED),
    inclusion("4/happy-path", 1, 5, N0_1, ROOT5, &[N0_0, N1_1, N0_4], VALID),
    inclusion("4/inserted-component", 1, 5, N0_1, ROOT5, &[N0_0, SOME_HASH, N1_1, N0_4], REFUSED),
    inclusion("4/leafIdx-XOR-@2", 3, 5, N0_1, ROOT5, &[N0_0, N1_1, N0_4], REFUSED),
    inclusion("4/leafIdx-plus-@1", 2, 5, N0_1, ROOT5, &[N0_0, N1_1, N0_4], REFUSED),
    inclusion("4/leafIdx-sub-@1", 0, 5, N0_1, ROOT5, &[N0_0, N1_1, N0_4], REFUSED),
    inclusion("4/modified-proof[0]-bit-@3", 1, 5, N0_1, ROOT5, &[N0_0_BIT3, N1_1, N0_4], REFUSED),
    inclusion("4/modified-proof[1]-bit-@3", 1, 5, N0_1, ROOT5, &[N0_0, N1_1_BIT3, N0_4], REFUSED),
    inclusion("4/modified-proof[2]-bit-@3", 1, 5, N0_1, ROOT5, &[N0_0, N1_1, N0_4_BIT3], REFUSED),
    inclusion("4/preceding-root", 1, 5, N0_1, ROOT5, &[ROOT5, N0_0, N1_1, N0_4], REFUSED),
    inclusion("4/random-root", 1, 5, N0_1, SOME_HASH, &[N0_0, N1_1, N0_4], REFUSED),
    inclusion("4/removed-component", 1, 5, N0_1, ROOT5, &[N0_0, N1_1], REFUSED),
    inclusion("4/trailing-root", 1, 5, N0_1, ROOT5, &[N0_0, N1_1, N0_4, ROOT5], REFUSED),
    inclusion("4/treeSize-div-@2", 1, 2, N0_1, ROOT5, &[N0_0, N1_1, N0_4], REFUSED),
    inclusion("4/treeSize-mul-@2", 1, 10, N0_1, ROOT5, &[N0_0, N1_1, N0_4], REFUSED),
    inclusion("additional/0/empty-root-and-random-leaf", 0, 0, SOME_HASH, EMPTY, &[], REFUSED),
    inclusion("additional/1/empty-root-and-random-leaf", 0, 1, SOME_HASH, EMPTY, &[], REFUSED),
    inclusion("additional/2/empty-root-and-random-leaf", 1, 0, SOME_HASH, EMPTY, &[], REFUSED),
    inclusion("additional/3/empty-root-and-random-leaf", 2, 1, SOME_HASH, EMPTY, &[], REFUSED),
    inclusion("single-entry/matching-root-and-leaf", 0, 1, SINGLE_ENTRY, SINGLE_ENTRY, &[], VALID),
];

const CONSISTENCY_PROBES: &[ConsistencyProbe] = &[
    consistency("0/happy-path", 1, 1, N0_0, N0_0, &[], VALID),
    consistency("1/empty-proof", 1, 8, N0_0, N3_0, &[], REFUSED),
    consistency("1/happy-path", 1, 8, N0_0, N3_0, &[N0_1, N1_1, N2_1], VALID),
    consistency("1/modified-proof@0-bit-@4", 1, 8, N0_0, N3_0, &[N0_1_BIT4, N1_1, N2_1], REFUSED),
    consistency("1/modified-proof@1-bit-@4", 1, 8, N0_0, N3_0, &[N0_1, N1_1_BIT4, N2_1], REFUSED),
    consistency("1/modified-proof@2-bit-@4", 1, 8, N0_0, N3_0, &[N0_1, N1_1, N2_1_BIT4], REFUSED),
    consistency("1/preceding-proof-@0", 1, 8, N0_0, N3_0, &[N0_1, N0_1, N1_1, N2_1], REFUSED),
    consistency("1/preceding-root1", 1, 8, N0_0, N3_0, &[N0_0, N0_1, N1_1, N2_1], REFUSED),
    consistency("1/preceding-root2", 1, 8, N0_0, N3_0, &[N3_0, N0_1, N1_1, N2_1], REFUSED),
    consistency("1/size1-XOR-@2", 3, 8, N0_0, N3_0, &[N0_1, N1_1, N2_1], REFUSED),
    consistency("1/size1-plus-@1", 2, 8, N0_0, N3_0, &[N0_1, N1_1, N2_1], REFUSED),
    consistency("1/size1-sub-@1", 0, 8, N0_0, N3_0, &[N0_1, N1_1, N2_1], REFUSED),
    consistency("1/size2-div-@2", 1, 4, N0_0, N3_0, &[N0_1, N1_1, N2_1], REFUSED),
    consistency("1/size2-mul-@2", 1, 16, N0_0, N3_0, &[N0_1, N1_1, N2_1], REFUSED),
    consistency("1/swapped-roots", 1, 8, N3_0, N0_0, &[N0_1, N1_1, N2_1], REFUSED),
    consistency("1/trailing-root1", 1, 8, N0_0, N3_0, &[N0_1, N1_1, N2_1, N0_0], REFUSED),
    consistency("1/trailing-root2", 1, 8, N0_0, N3_0, &[N0_1, N1_1, N2_1, N3_0], REFUSED),
    consistency("1/truncated-proof", 1, 8, N0_0, N3_0, &[N0_1, N1_1], REFUSED),
    consistency("2/empty-proof", 6, 8, ROOT6, N3_0, &[], REFUSED),
    consistency("2/happy-path", 6, 8, ROOT6, N3_0, &[N1_2, N1_3, N2_0], VALID),
    consistency("2/modified-proof@0-bit-@4", 6, 8, ROOT6, N3_0, &[N1_2_BIT4, N1_3, N2_0], REFUSED),
    consistency("2/modified-proof@1-bit-@4", 6, 8, ROOT6, N3_0, &[N1_2, N1_3_BIT4, N2_0], REFUSED),
    consistency("2/modified-proof@2-bit-@4", 6, 8, ROOT6, N3_0, &[N1_2, N1_3, N2_0_BIT4], REFUSED),
    consistency("2/preceding-proof-@0", 6, 8, ROOT6, N3_0, &[N1_2, N1_2, N1_3, N2_0], REFUSED),
    consistency("2/preceding-root1", 6, 8, ROOT6, N3_0, &[ROOT6, N1_2, N1_3, N2_0], REFUSED),
    consistency("2/preceding-root2", 6, 8, ROOT6, N3_0, &[N3_0, N1_2, N1_3, N2_0], REFUSED),
    consistency("2/size1-XOR-@2", 4, 8, ROOT6, N3_0, &[N1_2, N1_3, N2_0], REFUSED),
    consistency("2/size1-plus-@1", 7, 8, ROOT6, N3_0, &[N1_2, N1_3, N2_0], REFUSED),
    consistency("2/size1-sub-@1", 5, 8, ROOT6, N3_0, &[N1_2, N1_3, N2_0], REFUSED),
    consistency("2/size2-div-@2", 6, 4, ROOT6, N3_0, &[N1_2, N1_3, N2_0], REFUSED),
    consistency("2/size2-mul-@2", 6, 16, ROOT6, N3_0, &[N1_2, N1_3, N2_0], REFUSED),
    consistency("2/swapped-roots", 6, 8, N3_0, ROOT6, &[N1_2, N1_3, N2_0], REFUSED),
    consistency("2/trailing-root1", 6, 8, ROOT6, N3_0, &[N1_2, N1_3, N2_0, ROOT6], REFUSED),
    consistency("2/trailing-root2", 6, 8, ROOT6, N3_0, &[N1_2, N1_3, N2_0, N3_0], REFUSED),
    consistency("2/truncated-proof", 6, 8, ROOT6, N3_0, &[N1_2, N1_3], REFUSED),
    consistency("3/empty-proof", 2, 5, N1_0, ROOT5, &[], REFUSED),
    consistency("3/happy-path", 2, 5, N1_0, ROOT5, &[N1_1, N0_4], VALID),
    consistency("3/modified-proof@0-bit-@4", 2, 5, N1_0, ROOT5, &[N1_1_BIT4, N0_4], REFUSED),
    consistency("3/modified-proof@1-bit-@4", 2, 5, N1_0, ROOT5, &[N1_1, N0_4_BIT4], REFUSED),
    consistency("3/preceding-proof-@0", 2, 5, N1_0, ROOT5, &[N1_1, N1_1, N0_4], REFUSED),
    consistency("3/preceding-root1", 2, 5, N1_0, ROOT5, &[N1_0, N1_1, N0_4], REFUSED),
    consistency("3/preceding-root2", 2, 5, N1_0, ROOT5, &[ROOT5, N1_1, N0_4], REFUSED),
    consistency("3/size1-XOR-@2", 0, 5, N1_0, ROOT5, &[N1_1, N0_4], REFUSED),
    consistency("3/size1-plus-@1", 3, 5, N1_0, ROOT5, &[N1_1, N0_4], REFUSED),
    consistency("3/size1-sub-@1", 1, 5, N1_0, ROOT5, &[N1_1, N0_4], REFUSED),
    consistency("3/size2-div-@2", 2, 2, N1_0, ROOT5, &[N1_1, N0_4], REFUSED),
    consistency("3/size2-mul-@2", 2, 10, N1_0, ROOT5, &[N1_1, N0_4], REFUSED),
    consistency("3/swapped-roots", 2, 5, ROOT5, N1_0, &[N1_1, N0_4], REFUSED),
    consistency("3/trailing-root1", 2, 5, N1_0, ROOT5, &[N1_1, N0_4, N1_0], REFUSED),
    consistency("3/trailing-root2", 2, 5, N1_0, ROOT5, &[N1_1, N0_4, ROOT5], REFUSED),
    consistency("3/truncated-proof", 2, 5, N1_0, ROOT5, &[N1_1], REFUSED),
    consistency("4/empty-proof", 6, 7, ROOT6, ROOT7, &[], REFUSED),
    consistency("4/happy-path", 6, 7, ROOT6, ROOT7, &[N1_2, N0_6, N2_0], VALID),
    consistency("4/modified-proof@0-bit-@4", 6, 7, ROOT6, ROOT7, &[N1_2_BIT4, N0_6, N2_0], REFUSED),
    consistency("4/modified-proof@1-bit-@4", 6, 7, ROOT6, ROOT7, &[N1_2, N0_6_BIT4, N2_0], REFUSED),
    consistency("4/modified-proof@2-bit-@4", 6, 7, ROOT6, ROOT7, &[N1_2, N0_6, N2_0_BIT4], REFUSED),
    consistency("4/preceding-proof-@0", 6, 7, ROOT6, ROOT7, &[N1_2, N1_2, N0_6, N2_0], REFUSED),
    consistency("4/preceding-root1", 6, 7, ROOT6, ROOT7, &[ROOT6, N1_2, N0_6, N2_0], REFUSED),
    consistency("4/preceding-root2", 6, 7, ROOT6, ROOT7, &[ROOT7, N1_2, N0_6, N2_0], REFUSED),
    consistency("4/size1-XOR-@2", 4, 7, ROOT6, ROOT7, &[N1_2, N0_6, N2_0], REFUSED),
    consistency("4/size1-plus-@1", 7, 7, ROOT6, ROOT7, &[N1_2, N0_6, N2_0], REFUSED),
    consistency("4/size1-sub-@1", 5, 7, ROOT6, ROOT7, &[N1_2, N0_6, N2_0], REFUSED),
    consistency("4/size2-div-@2", 6, 3, ROOT6, ROOT7, &[N1_2, N0_6, N2_0], REFUSED),
    consistency("4/size2-mul-@2", 6, 14, ROOT6, ROOT7, &[N1_2, N0_6, N2_0], REFUSED),
    consistency("4/swapped-roots", 6, 7, ROOT7, ROOT6, &[N1_2, N0_6, N2_0], REFUSED),
    consistency("4/trailing-root1", 6, 7, ROOT6, ROOT7, &[N1_2, N0_6, N2_0, ROOT6], REFUSED),
    consistency("4/trailing-root2", 6, 7, ROOT6, ROOT7, &[N1_2, N0_6, N2_0, ROOT7], REFUSED),
    consistency("4/truncated-proof", 6, 7, ROOT6, ROOT7, &[N1_2, N0_6], REFUSED),
    consistency(
        "additional/consistency-check-on-empty-tree-size1-is-zero-is-useless",
        0,
        1,
        EMPTY,
        EMPTY,
        &[EMPTY],
        REFUSED,
    ),
    consistency(
        "additional/sizes-match-but-proof-is-not-empty-and-sizes-are-one",
        1,
        1,
        EMPTY,
        EMPTY,
        &[EMPTY],
        REFUSED,
    ),
    consistency(
        "additional/sizes-match-but-proof-is-not-empty-and-sizes-are-zero",
        0,
        0,
        EMPTY,
        EMPTY,
        &[EMPTY],
        REFUSED,
    ),
];

// ---------------------------------------------------------------------------------------------
// Hashes
// ---------------------------------------------------------------------------------------------

#[test]
fn hashes_match_the_rfc_6962_hasher_vectors() {
    // rfc6962/rfc6962_test.go, TestRFC6962Hasher.
    assert_eq!(empty_root(), h(EMPTY));
    assert_eq!(leaf_hash(b""), h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
    assert_eq!(leaf_hash(b"L123456"), h("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"));
    assert_ne!(leaf_hash(b""), empty_root(), "the empty leaf is not the empty tree");
}

#[test]
fn node_hash_is_domain_separated_from_leaf_hash_and_ordered() {
    let (left, right) = (leaf_hash(b"Hello"), leaf_hash(b"World"));
    let parent = node_hash(&left, &right);
    assert_ne!(parent, node_hash(&right, &left), "a node hash depends on the order of its children");
    assert_ne!(parent, leaf_hash(&[left, right].concat()), "a node is not a leaf holding its children");
}

#[test]
fn hex_is_lower_case_and_inverts_the_decoder() {
    assert_eq!(hex(&h(EMPTY)), EMPTY);
    assert_eq!(hex(&h(&N3_0.to_uppercase())), N3_0);
    assert_eq!(hex(&[0; 32]), "0".repeat(64));
}

// ---------------------------------------------------------------------------------------------
// The RFC 6962 reference tree
// ---------------------------------------------------------------------------------------------

#[test]
fn reference_tree_holds_the_rfc_6962_node_hashes() {
    let tree = reference_tree();
    assert_eq!(tree.size(), 8);
    for (height, row) in (0u32..).zip(NODE_HASHES) {
        for (index, expected) in (0u64..).zip(row.iter().copied()) {
            assert_eq!(ok(tree.node(height, index)), h(expected), "node at height {height}, index {index}");
        }
    }
}

#[test]
fn reference_roots_of_sizes_0_to_8_match_the_rfc_6962_vectors() {
    let leaves = reference_leaves();
    let tree = reference_tree();
    let mut frontier = Frontier::new();
    for (size, expected) in (0u64..).zip(ROOTS.map(h)) {
        let only_these = MemoryTree::from_leaves(prefix(&leaves, size).iter().copied());
        assert_eq!(only_these.size(), size);
        assert_eq!(only_these.root(), expected, "MemoryTree of {size} leaves");
        assert_eq!(ok(root_at(&tree, size)), expected, "root_at {size}");
        assert_eq!(ok(Frontier::load(&tree, size)).root(), expected, "Frontier::load {size}");
        assert_eq!(frontier.size(), size);
        assert_eq!(frontier.root(), expected, "Frontier after {size} pushes");
        assert_eq!(reference_root(prefix(&leaves, size)), expected, "reference MTH of {size} leaves");
        if let Some(leaf) = leaves.get(frontier.size() as usize) {
            frontier.push(*leaf);
        }
    }
    assert_eq!(MemoryTree::default().root(), empty_root());
    assert_eq!(Frontier::new().root(), empty_root());
}

#[test]
fn frontier_peaks_match_the_reference_compact_trees() {
    let leaves = reference_leaves();
    let tree = reference_tree();
    for (size, expected) in (0u64..).zip(COMPACT_TREES) {
        let expected = hashes(expected);
        let loaded = ok(Frontier::load(&tree, size));
        let loaded_peaks: Vec<Hash> = loaded.peaks.iter().map(|(_, hash)| *hash).collect();
        assert_eq!(loaded_peaks, expected, "peaks loaded for size {size}");
        let mut pushed = Frontier::new();
        for leaf in prefix(&leaves, size) {
            pushed.push(*leaf);
        }
        assert_eq!(pushed.peaks, loaded.peaks, "peaks pushed and loaded for size {size}");
    }
}

#[test]
fn frontier_reports_every_perfect_subtree_once_with_its_position() {
    let mut frontier = Frontier::new();
    let mut levels: Vec<Vec<Hash>> = Vec::new();
    for leaf in reference_leaves() {
        frontier.push_with(leaf, |height, index, hash| {
            let height = height as usize;
            if levels.len() <= height {
                levels.resize_with(height + 1, Vec::new);
            }
            assert_eq!(levels[height].len() as u64, index, "subtrees at height {height} are reported in order");
            levels[height].push(*hash);
        });
    }
    assert_eq!(levels, NODE_HASHES.map(hashes).to_vec());
}

#[test]
fn reference_inclusion_proofs_are_made_and_accepted() {
    let leaves = reference_leaves();
    let tree = reference_tree();
    for &(index, size, path) in REFERENCE_INCLUSION_PROOFS {
        let path = hashes(path);
        let root = h(ROOTS[size as usize]);
        assert_eq!(ok(inclusion_proof(&tree, index, size)), path, "inclusion proof of leaf {index} in {size}");
        let only_these = MemoryTree::from_leaves(prefix(&leaves, size).iter().copied());
        assert_eq!(ok(inclusion_proof(&only_these, index, size)), path, "from a tree of {size} leaves");
        assert_eq!(verify_inclusion(leaf_at(&leaves, index), index, size, &path, &root), Ok(()));
    }
}

#[test]
fn reference_consistency_proofs_are_made_and_accepted() {
    let tree = reference_tree();
    for &(old, new, proof) in REFERENCE_CONSISTENCY_PROOFS {
        let proof = hashes(proof);
        let (old_root, new_root) = (h(ROOTS[old as usize]), h(ROOTS[new as usize]));
        assert_eq!(ok(consistency_proof(&tree, old, new)), proof, "consistency proof {old} → {new}");
        assert_eq!(verify_consistency(old, new, &old_root, &new_root, &proof), Ok(()), "{old} → {new}");
    }
}

#[test]
fn transparency_dev_inclusion_probes_are_accepted_or_refused_as_labelled() {
    for probe in INCLUSION_PROBES {
        let result = verify_inclusion(&h(probe.leaf), probe.index, probe.size, &hashes(probe.path), &h(probe.root));
        assert_eq!(result.is_ok(), probe.valid, "inclusion/{}: {result:?}", probe.name);
    }
}

#[test]
fn transparency_dev_consistency_probes_are_accepted_or_refused_as_labelled() {
    for probe in CONSISTENCY_PROBES {
        let result =
            verify_consistency(probe.old, probe.new, &h(probe.old_root), &h(probe.new_root), &hashes(probe.proof));
        assert_eq!(result.is_ok(), probe.valid, "consistency/{}: {result:?}", probe.name);
    }
}

#[test]
fn modified_hashes_of_the_probes_are_reference_hashes_with_one_bit_flipped() {
    let modified = [
        (N0_0_BIT3, N0_0, 3),
        (N0_1_BIT3, N0_1, 3),
        (N0_1_BIT4, N0_1, 4),
        (N0_4_BIT3, N0_4, 3),
        (N0_4_BIT4, N0_4, 4),
        (N0_6_BIT4, N0_6, 4),
        (N1_0_BIT3, N1_0, 3),
        (N1_1_BIT3, N1_1, 3),
        (N1_1_BIT4, N1_1, 4),
        (N1_2_BIT4, N1_2, 4),
        (N1_3_BIT3, N1_3, 3),
        (N1_3_BIT4, N1_3, 4),
        (N2_0_BIT3, N2_0, 3),
        (N2_0_BIT4, N2_0, 4),
        (N2_1_BIT3, N2_1, 3),
        (N2_1_BIT4, N2_1, 4),
    ];
    for (flipped, original, bit) in modified {
        assert_eq!(h(flipped), flip(&h(original), bit), "{flipped}");
    }
}

// ---------------------------------------------------------------------------------------------
// The accumulated "Subtree Test Vectors" of draft-ietf-plants-merkle-tree-certs, as
// reproduced in `testonly/vectors_test.go` of github.com/transparency-dev/merkle (commit
// 417fb0c314750d94e53942e9f92e79b6d35915db): a tree of the 130 leaves 0x00, 0x01, …, 0x81, and
// one SHA-256 over a line for every valid subtree [start, end), start a multiple of
// BIT_CEIL(end - start). A valid subtree is a range the RFC's recursion can produce, so
// `subtree_root` and `path_of` answer for it.
// ---------------------------------------------------------------------------------------------

const DRAFT_VECTOR_LEAVES: u8 = 130;

fn draft_vector_tree() -> MemoryTree {
    MemoryTree::from_leaves((0..DRAFT_VECTOR_LEAVES).map(|byte| leaf_hash(&[byte])))
}

/// isSubtreeValid of `testonly/tree.go`.
fn is_valid_subtree(start: u64, end: u64) -> bool {
    start <= end && (start == 0 || start == end || start.is_multiple_of((end - start).next_power_of_two()))
}

fn valid_subtrees() -> impl Iterator<Item = (u64, u64)> {
    (0..=u64::from(DRAFT_VECTOR_LEAVES))
        .flat_map(|end| (0..=end).map(move |start| (start, end)))
        .filter(|&(start, end)| is_valid_subtree(start, end))
}

#[test]
fn subtree_roots_match_the_accumulated_draft_vector() {
    // TestSubtreeHashVectors: "[start, end) hash" per line.
    let tree = draft_vector_tree();
    let mut lines = String::new();
    for (start, end) in valid_subtrees() {
        let root = if start == end { empty_root() } else { ok(subtree_root(&tree, start, end)) };
        writeln!(lines, "[{start}, {end}) {}", hex(&root)).expect("a String takes any write");
    }
    assert_eq!(hex(&sha256(lines.as_bytes())), "b82806ad4265bb151c1119c0f4db437bb4d1a1f887b3a7fba1cd4ebf552e3e81");
}

#[test]
fn audit_paths_within_subtrees_match_the_accumulated_draft_vector() {
    // TestSubtreeInclusionProofVectors: "index [start, end)" and " hash" per path element, per line.
    let tree = draft_vector_tree();
    let mut lines = String::new();
    for (start, end) in valid_subtrees() {
        for index in start..end {
            let mut path = Vec::new();
            ok(path_of(&tree, index - start, start, end, &mut path));
            write!(lines, "{index} [{start}, {end})").expect("a String takes any write");
            for hash in &path {
                write!(lines, " {}", hex(hash)).expect("a String takes any write");
            }
            lines.push('\n');
        }
    }
    assert_eq!(hex(&sha256(lines.as_bytes())), "ac2a8f989e44d99e399db448050ff5f19757df53cfb716aa81015d3955d8163f");
}

// ---------------------------------------------------------------------------------------------
// Every tree up to 70 leaves
// ---------------------------------------------------------------------------------------------

const MAX_LEAVES: u64 = 70;

#[test]
fn root_at_and_frontier_load_give_the_root_of_a_tree_of_only_that_many_leaves() {
    let leaves = numbered_leaves(MAX_LEAVES);
    let tree = MemoryTree::from_leaves(leaves.iter().copied());
    let roots = prefix_roots(&leaves);
    let mut frontier = Frontier::new();
    for (size, root) in (0u64..).zip(&roots) {
        assert_eq!(*root, reference_root(prefix(&leaves, size)), "MemoryTree of {size} leaves");
        assert_eq!(ok(root_at(&tree, size)), *root, "root_at {size}");
        let loaded = ok(Frontier::load(&tree, size));
        assert_eq!(loaded.size(), size);
        assert_eq!(loaded.root(), *root, "Frontier::load {size}");
        assert_eq!(frontier.root(), *root, "Frontier after {size} pushes");
        if size < MAX_LEAVES {
            frontier.push(*leaf_at(&leaves, size));
        }
    }
    assert_eq!(roots.last(), Some(&tree.root()));
}

#[test]
fn every_inclusion_proof_up_to_70_leaves_is_the_rfc_path_and_verifies() {
    let leaves = numbered_leaves(MAX_LEAVES);
    let tree = MemoryTree::from_leaves(leaves.iter().copied());
    let roots = prefix_roots(&leaves);
    for size in 1..=MAX_LEAVES {
        let only_these = MemoryTree::from_leaves(prefix(&leaves, size).iter().copied());
        let root = roots[size as usize];
        for index in 0..size {
            let path = ok(inclusion_proof(&tree, index, size));
            assert_eq!(path, reference_path(index as usize, prefix(&leaves, size)), "leaf {index} of {size}");
            assert_eq!(ok(inclusion_proof(&only_these, index, size)), path, "leaf {index} of only {size}");
            assert_eq!(
                verify_inclusion(leaf_at(&leaves, index), index, size, &path, &root),
                Ok(()),
                "{index} of {size}"
            );
        }
    }
}

#[test]
fn every_consistency_proof_up_to_70_leaves_is_the_rfc_proof_and_verifies() {
    let leaves = numbered_leaves(MAX_LEAVES);
    let tree = MemoryTree::from_leaves(leaves.iter().copied());
    let roots = prefix_roots(&leaves);
    for new in 1..=MAX_LEAVES {
        let only_these = MemoryTree::from_leaves(prefix(&leaves, new).iter().copied());
        for old in 1..=new {
            let proof = ok(consistency_proof(&tree, old, new));
            let expected = reference_subproof(old as usize, prefix(&leaves, new), true);
            assert_eq!(proof, expected, "consistency proof {old} → {new}");
            assert_eq!(ok(consistency_proof(&only_these, old, new)), proof, "{old} → only {new}");
            let (old_root, new_root) = (roots[old as usize], roots[new as usize]);
            assert_eq!(verify_consistency(old, new, &old_root, &new_root, &proof), Ok(()), "{old} → {new}");
        }
    }
}

#[test]
fn consistency_proof_is_empty_from_the_empty_tree_and_between_equal_sizes() {
    let tree = MemoryTree::from_leaves(numbered_leaves(9));
    for size in 0..=9 {
        assert_eq!(ok(consistency_proof(&tree, 0, size)), Vec::<Hash>::new(), "0 → {size}");
        assert_eq!(ok(consistency_proof(&tree, size, size)), Vec::<Hash>::new(), "{size} → {size}");
    }
}

#[test]
fn inclusion_proof_in_a_tree_of_one_leaf_is_empty() {
    let tree = MemoryTree::from_leaves([leaf_hash(b"only")]);
    assert_eq!(ok(inclusion_proof(&tree, 0, 1)), Vec::<Hash>::new());
    assert_eq!(verify_inclusion(&leaf_hash(b"only"), 0, 1, &[], &tree.root()), Ok(()));
}

// ---------------------------------------------------------------------------------------------
// Tampered inclusion proofs
// ---------------------------------------------------------------------------------------------

/// Trees up to this size are tampered with in every way below (it passes 1, 2, 4, 8, 16, 32).
const TAMPERED_SIZES: u64 = 33;

/// A valid inclusion proof to tamper with.
struct InclusionCase {
    index: u64,
    size: u64,
    leaf: Hash,
    path: Vec<Hash>,
    root: Hash,
}

/// Every leaf of every tree of 1..=`max` numbered leaves, with its proof and the tree's root.
fn inclusion_cases(max: u64) -> Vec<InclusionCase> {
    let leaves = numbered_leaves(max);
    let tree = MemoryTree::from_leaves(leaves.iter().copied());
    let roots = prefix_roots(&leaves);
    let mut cases = Vec::new();
    for size in 1..=max {
        for index in 0..size {
            let path = ok(inclusion_proof(&tree, index, size));
            cases.push(InclusionCase { index, size, leaf: *leaf_at(&leaves, index), path, root: roots[size as usize] });
        }
    }
    cases
}

#[test]
fn inclusion_refuses_another_leaf() {
    let leaves = numbered_leaves(TAMPERED_SIZES);
    for InclusionCase { index, size, leaf, path, root } in inclusion_cases(TAMPERED_SIZES) {
        let unprefixed = sha256(&index.to_be_bytes());
        let wrong_leaves =
            [*leaf_at(&leaves, (index + 1) % size), leaf_hash(b"not in the log"), flip(&leaf, 0), unprefixed, root];
        for wrong in wrong_leaves.into_iter().filter(|wrong| *wrong != leaf) {
            let result = verify_inclusion(&wrong, index, size, &path, &root);
            assert!(matches!(result, Err(ProofError::RootMismatch { .. })), "leaf {index} of {size}: {result:?}");
        }
    }
}

#[test]
fn inclusion_refuses_the_right_leaf_at_another_index() {
    let leaves = numbered_leaves(TAMPERED_SIZES);
    for InclusionCase { index, size, leaf, path, root } in inclusion_cases(TAMPERED_SIZES) {
        for other in (0..size).filter(|&other| other != index) {
            let result = verify_inclusion(&leaf, other, size, &path, &root);
            assert!(result.is_err(), "leaf {index} of {size} claimed at {other}");
            // Nor is another leaf accepted at its own index with this leaf's path.
            let result = verify_inclusion(leaf_at(&leaves, other), other, size, &path, &root);
            assert!(result.is_err(), "leaf {other} of {size} with the path of {index}");
        }
    }
}

#[test]
fn inclusion_refuses_a_path_one_hash_too_short() {
    for InclusionCase { index, size, leaf, path, root } in inclusion_cases(TAMPERED_SIZES) {
        if path.is_empty() {
            continue;
        }
        for short in [&path[1..], &path[..path.len() - 1]] {
            let result = verify_inclusion(&leaf, index, size, short, &root);
            assert!(matches!(result, Err(ProofError::WrongLength { .. })), "leaf {index} of {size}: {result:?}");
        }
    }
}

#[test]
fn inclusion_refuses_a_path_one_hash_too_long() {
    for InclusionCase { index, size, leaf, path, root } in inclusion_cases(TAMPERED_SIZES) {
        for extra in [root, leaf, h(SOME_HASH), empty_root()] {
            let mut appended = path.clone();
            appended.push(extra);
            let mut prepended = vec![extra];
            prepended.extend_from_slice(&path);
            for long in [appended, prepended] {
                let result = verify_inclusion(&leaf, index, size, &long, &root);
                assert!(matches!(result, Err(ProofError::WrongLength { .. })), "leaf {index} of {size}: {result:?}");
            }
        }
    }
}

#[test]
fn inclusion_refuses_any_flipped_bit_in_the_path() {
    for InclusionCase { index, size, leaf, path, root } in inclusion_cases(17) {
        for position in 0..path.len() {
            for bit in 0..256 {
                let mut tampered = path.clone();
                tampered[position] = flip(&path[position], bit);
                let result = verify_inclusion(&leaf, index, size, &tampered, &root);
                assert!(
                    matches!(result, Err(ProofError::RootMismatch { .. })),
                    "leaf {index} of {size}, bit {bit} of element {position}: {result:?}"
                );
            }
        }
    }
}

#[test]
fn inclusion_refuses_a_swapped_pair_in_the_path() {
    for InclusionCase { index, size, leaf, path, root } in inclusion_cases(TAMPERED_SIZES) {
        for first in 0..path.len() {
            for second in first + 1..path.len() {
                let mut swapped = path.clone();
                swapped.swap(first, second);
                let result = verify_inclusion(&leaf, index, size, &swapped, &root);
                assert!(
                    matches!(result, Err(ProofError::RootMismatch { .. })),
                    "leaf {index} of {size}, elements {first} and {second} swapped: {result:?}"
                );
            }
        }
    }
}

#[test]
fn inclusion_refuses_a_tree_of_size_zero() {
    for index in [0, 1, u64::MAX] {
        assert_eq!(
            verify_inclusion(&h(N0_0), index, 0, &[], &empty_root()),
            Err(ProofError::IndexOutOfRange { index, size: 0 })
        );
        assert_eq!(
            verify_inclusion(&h(N0_0), index, 0, &[], &h(N0_0)),
            Err(ProofError::IndexOutOfRange { index, size: 0 })
        );
        assert_eq!(
            verify_inclusion(&h(N0_0), index, 0, &[h(N0_1)], &h(N1_0)),
            Err(ProofError::IndexOutOfRange { index, size: 0 })
        );
    }
}

#[test]
fn inclusion_refuses_an_index_at_or_past_the_size() {
    for InclusionCase { index, size, leaf, path, root } in inclusion_cases(TAMPERED_SIZES) {
        for past in [size, size + 1, 2 * size, u64::MAX] {
            assert_eq!(
                verify_inclusion(&leaf, past, size, &path, &root),
                Err(ProofError::IndexOutOfRange { index: past, size }),
                "leaf {index} of {size} claimed at {past}"
            );
        }
    }
}

#[test]
fn inclusion_refuses_a_root_of_another_tree() {
    let roots = prefix_roots(&numbered_leaves(TAMPERED_SIZES));
    let others = prefix_roots(&other_leaves(TAMPERED_SIZES));
    for InclusionCase { index, size, leaf, path, root } in inclusion_cases(TAMPERED_SIZES) {
        let mut wrong_roots = vec![others[size as usize], empty_root(), h(SOME_HASH), roots[size as usize - 1]];
        wrong_roots.extend(roots.get(size as usize + 1));
        for wrong in wrong_roots {
            assert_ne!(wrong, root);
            let result = verify_inclusion(&leaf, index, size, &path, &wrong);
            assert!(matches!(result, Err(ProofError::RootMismatch { .. })), "leaf {index} of {size}: {result:?}");
        }
    }
}

/// Checked against the root of the other size. (Against its own root it can pass: the path of
/// leaf 0 of 3 leaves also leads to that root as leaf 0 of 4, since RFC 9162's algorithm does
/// not bind the root to the size; the signed checkpoint binds them.)
#[test]
fn inclusion_refuses_a_path_checked_in_a_tree_of_another_size() {
    let roots = prefix_roots(&numbered_leaves(TAMPERED_SIZES));
    let root_of = |size: u64| roots.get(size as usize).copied().unwrap_or_else(|| h(SOME_HASH));
    for InclusionCase { index, size, leaf, path, .. } in inclusion_cases(TAMPERED_SIZES) {
        for other in [size - 1, size + 1, 2 * size].into_iter().filter(|&other| other > index && other != size) {
            let result = verify_inclusion(&leaf, index, other, &path, &root_of(other));
            assert!(result.is_err(), "path of leaf {index} in {size} checked in {other}: {result:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tampered consistency proofs
// ---------------------------------------------------------------------------------------------

/// A valid consistency proof to tamper with.
struct ConsistencyCase {
    old: u64,
    new: u64,
    old_root: Hash,
    new_root: Hash,
    proof: Vec<Hash>,
}

/// Every 0 < old < new ≤ `max` of the numbered leaves, with the proof and both roots.
fn consistency_cases(max: u64) -> Vec<ConsistencyCase> {
    let leaves = numbered_leaves(max);
    let tree = MemoryTree::from_leaves(leaves.iter().copied());
    let roots = prefix_roots(&leaves);
    let mut cases = Vec::new();
    for new in 2..=max {
        for old in 1..new {
            let proof = ok(consistency_proof(&tree, old, new));
            cases.push(ConsistencyCase {
                old,
                new,
                old_root: roots[old as usize],
                new_root: roots[new as usize],
                proof,
            });
        }
    }
    cases
}

#[test]
fn consistency_refuses_an_old_size_of_zero() {
    let roots = prefix_roots(&numbered_leaves(4));
    for new in 0..=4 {
        for proof in [vec![], vec![empty_root()], vec![roots[new as usize]]] {
            assert_eq!(
                verify_consistency(0, new, &empty_root(), &roots[new as usize], &proof),
                Err(ProofError::BadSizes { old: 0, new }),
                "0 → {new} with {} hashes",
                proof.len()
            );
        }
    }
}

#[test]
fn consistency_refuses_an_old_size_past_the_new() {
    let roots = prefix_roots(&numbered_leaves(8));
    for new in 0..8u64 {
        for old in new + 1..=8 {
            let (old_root, new_root) = (roots[old as usize], roots[new as usize]);
            for proof in [vec![], vec![new_root], vec![old_root, new_root]] {
                assert_eq!(
                    verify_consistency(old, new, &old_root, &new_root, &proof),
                    Err(ProofError::BadSizes { old, new })
                );
            }
        }
    }
    assert_eq!(
        verify_consistency(u64::MAX, 1, &roots[1], &roots[1], &[]),
        Err(ProofError::BadSizes { old: u64::MAX, new: 1 })
    );
}

#[test]
fn consistency_between_equal_sizes_needs_an_empty_proof_and_the_same_root() {
    let roots = prefix_roots(&numbered_leaves(8));
    for size in 1..=8u64 {
        let root = roots[size as usize];
        assert_eq!(verify_consistency(size, size, &root, &root, &[]), Ok(()));
        for proof in [vec![root], vec![root, root], vec![h(SOME_HASH)]] {
            let result = verify_consistency(size, size, &root, &root, &proof);
            assert!(
                matches!(result, Err(ProofError::WrongLength { got, .. }) if got == proof.len()),
                "{size} → {size} with {} hashes: {result:?}",
                proof.len()
            );
        }
        let other = roots[size as usize - 1];
        let result = verify_consistency(size, size, &root, &other, &[]);
        assert!(matches!(result, Err(ProofError::RootMismatch { .. })), "{size} → {size}: {result:?}");
        let result = verify_consistency(size, size, &other, &root, &[]);
        assert!(matches!(result, Err(ProofError::RootMismatch { .. })), "{size} → {size}: {result:?}");
    }
}

#[test]
fn consistency_refuses_an_empty_proof_between_different_sizes() {
    for ConsistencyCase { old, new, old_root, new_root, .. } in consistency_cases(TAMPERED_SIZES) {
        let result = verify_consistency(old, new, &old_root, &new_root, &[]);
        assert!(matches!(result, Err(ProofError::WrongLength { got: 0, .. })), "{old} → {new}: {result:?}");
        // Not even when both roots are the new one.
        let result = verify_consistency(old, new, &new_root, &new_root, &[]);
        assert!(matches!(result, Err(ProofError::WrongLength { got: 0, .. })), "{old} → {new}: {result:?}");
    }
}

#[test]
fn consistency_refuses_a_proof_one_hash_too_short() {
    for ConsistencyCase { old, new, old_root, new_root, proof } in consistency_cases(TAMPERED_SIZES) {
        for short in [&proof[1..], &proof[..proof.len() - 1]] {
            let result = verify_consistency(old, new, &old_root, &new_root, short);
            assert!(matches!(result, Err(ProofError::WrongLength { .. })), "{old} → {new}: {result:?}");
        }
    }
}

#[test]
fn consistency_refuses_a_proof_one_hash_too_long() {
    for ConsistencyCase { old, new, old_root, new_root, proof } in consistency_cases(TAMPERED_SIZES) {
        for extra in [old_root, new_root, h(SOME_HASH), empty_root()] {
            let mut appended = proof.clone();
            appended.push(extra);
            let mut prepended = vec![extra];
            prepended.extend_from_slice(&proof);
            for long in [appended, prepended] {
                let result = verify_consistency(old, new, &old_root, &new_root, &long);
                assert!(matches!(result, Err(ProofError::WrongLength { .. })), "{old} → {new}: {result:?}");
            }
        }
    }
}

#[test]
fn consistency_refuses_any_flipped_bit_in_the_proof() {
    for ConsistencyCase { old, new, old_root, new_root, proof } in consistency_cases(17) {
        for position in 0..proof.len() {
            for bit in 0..256 {
                let mut tampered = proof.clone();
                tampered[position] = flip(&proof[position], bit);
                let result = verify_consistency(old, new, &old_root, &new_root, &tampered);
                assert!(is_root_mismatch(&result), "{old} → {new}, bit {bit} of element {position}: {result:?}");
            }
        }
    }
}

#[test]
fn consistency_refuses_a_swapped_pair_in_the_proof() {
    for ConsistencyCase { old, new, old_root, new_root, proof } in consistency_cases(TAMPERED_SIZES) {
        for first in 0..proof.len() {
            for second in first + 1..proof.len() {
                let mut swapped = proof.clone();
                swapped.swap(first, second);
                let result = verify_consistency(old, new, &old_root, &new_root, &swapped);
                assert!(is_root_mismatch(&result), "{old} → {new}, {first} and {second} swapped: {result:?}");
            }
        }
    }
}

#[test]
fn consistency_refuses_roots_of_another_tree() {
    let roots = prefix_roots(&numbered_leaves(TAMPERED_SIZES));
    let others = prefix_roots(&other_leaves(TAMPERED_SIZES));
    for ConsistencyCase { old, new, old_root, new_root, proof } in consistency_cases(TAMPERED_SIZES) {
        let (other_old, other_new) = (others[old as usize], others[new as usize]);
        let result = verify_consistency(old, new, &other_old, &new_root, &proof);
        assert!(is_root_mismatch(&result), "{old} → {new}, old root of another tree: {result:?}");
        let result = verify_consistency(old, new, &old_root, &other_new, &proof);
        assert!(
            matches!(result, Err(ProofError::RootMismatch { .. })),
            "{old} → {new}, new root of another tree: {result:?}"
        );
        let result = verify_consistency(old, new, &other_old, &other_new, &proof);
        assert!(is_root_mismatch(&result), "{old} → {new}, both roots of another tree: {result:?}");
        let result = verify_consistency(old, new, &new_root, &old_root, &proof);
        assert!(is_root_mismatch(&result), "{old} → {new}, roots swapped: {result:?}");
        let result = verify_consistency(old, new, &old_root, &roots[new as usize - 1], &proof);
        assert!(is_root_mismatch(&result), "{old} → {new}, new root of {} leaves: {result:?}", new - 1);
    }
}

/// Checked against the roots of the other sizes (see
/// `inclusion_refuses_a_path_checked_in_a_tree_of_another_size` for why not its own roots).
#[test]
fn consistency_refuses_a_proof_checked_between_other_sizes() {
    let roots = prefix_roots(&numbered_leaves(TAMPERED_SIZES));
    let root_of = |size: u64| roots.get(size as usize).copied().unwrap_or_else(|| h(SOME_HASH));
    for ConsistencyCase { old, new, proof, .. } in consistency_cases(TAMPERED_SIZES) {
        let others = [(old + 1, new), (old - 1, new), (old, new + 1), (old, new - 1), (old, 2 * new)];
        for (other_old, other_new) in others.into_iter().filter(|&(o, n)| 0 < o && o <= n && (o, n) != (old, new)) {
            let result = verify_consistency(other_old, other_new, &root_of(other_old), &root_of(other_new), &proof);
            assert!(result.is_err(), "proof {old} → {new} checked as {other_old} → {other_new}: {result:?}");
        }
    }
}
