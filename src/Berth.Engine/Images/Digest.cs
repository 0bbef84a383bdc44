using System.Security.Cryptography;
using Berth.Engine.Errors;

namespace Berth.Engine.Images;

/// <summary>
/// A content digest "sha256:&lt;64 hex&gt;". Blob digests, layer DiffIDs, ChainIDs and image ids are
/// all digests; the names of the members that take them say which one is meant.
/// </summary>
public readonly record struct Digest
{
    private Digest(string hex) => Hex = hex;

    /// <summary>Only sha256 is produced; other algorithms are refused at parse time.</summary>
    public string Algorithm => "sha256";

    /// <summary>64 lowercase hex characters.</summary>
    public string Hex { get; }

    public override string ToString() => "sha256:" + Hex;

    public static Digest FromHash(ReadOnlySpan<byte> sha256) => new(Convert.ToHexStringLower(sha256));

    public static Digest Compute(ReadOnlySpan<byte> content) => FromHash(SHA256.HashData(content));

    /// <summary>Parses "sha256:hex"; InvalidParameter with dockerd's wording otherwise.</summary>
    public static Digest Parse(string text) =>
        TryParse(text, out var digest) ? digest : throw DaemonException.InvalidParameter($"invalid digest: {text}");

    public static bool TryParse(string? text, out Digest digest)
    {
        digest = default;
        if (text is null || !text.StartsWith("sha256:", StringComparison.Ordinal) || text.Length != 7 + 64)
        {
            return false;
        }
        var hex = text.AsSpan(7);
        foreach (char c in hex)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }
        digest = new Digest(hex.ToString());
        return true;
    }

    /// <summary>Accepts a bare 64-hex string too (image ids are often given without "sha256:").</summary>
    public static bool TryParseLenient(string? text, out Digest digest) =>
        TryParse(text, out digest) || (text is { Length: 64 } && TryParse("sha256:" + text, out digest));

    /// <summary>ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).</summary>
    public static Digest Chain(Digest? parentChainId, Digest diffId) =>
        parentChainId is not { } parent ? diffId : Compute(System.Text.Encoding.ASCII.GetBytes(parent + " " + diffId));

    /// <summary>The chain ids of a stack of diff ids, bottom first.</summary>
    public static IReadOnlyList<Digest> Chains(IReadOnlyList<Digest> diffIds)
    {
        var chains = new Digest[diffIds.Count];
        Digest? parent = null;
        for (int i = 0; i < diffIds.Count; i++)
        {
            parent = chains[i] = Chain(parent, diffIds[i]);
        }
        return chains;
    }
}
