using System.Security.Cryptography;

namespace Berth.Engine.State;

/// <summary>
/// Object ids in dockerd's shape: 64 lowercase hex characters, shown truncated to 12.
/// </summary>
public static class IdGenerator
{
    public const int FullLength = 64;
    public const int ShortLength = 12;

    /// <summary>
    /// 32 random bytes as hex. Like moby's stringid.GenerateRandomID, ids whose 12-char short
    /// form is all digits are rejected: the short id is the default container hostname, and an
    /// all-numeric hostname is invalid for some resolvers (moby#3869).
    /// </summary>
    public static string NewId()
    {
        Span<byte> bytes = stackalloc byte[FullLength / 2];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            var id = Convert.ToHexStringLower(bytes);
            if (!IsAllDigits(id.AsSpan(0, ShortLength)))
            {
                return id;
            }
        }
    }

    /// <summary>True for exactly 64 lowercase hex characters.</summary>
    public static bool IsFullId(string? value)
    {
        if (value is null || value.Length != FullLength)
        {
            return false;
        }
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigitLower(c)) // 0-9 and a-f
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The 12-char short form. An algorithm prefix ("sha256:") is dropped first, as moby's
    /// TruncateID does, so image digests shorten the same way.
    /// </summary>
    public static string TruncateId(string id)
    {
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            id = id[(colon + 1)..];
        }
        return id.Length > ShortLength ? id[..ShortLength] : id;
    }

    private static bool IsAllDigits(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
