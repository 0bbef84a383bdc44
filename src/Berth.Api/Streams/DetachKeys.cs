using Berth.Engine.Errors;

namespace Berth.Api.Streams;

/// <summary>
/// The detach key sequence of attach/start/exec (moby/term ToBytes): comma-separated keys, each
/// one character or "ctrl-@", "ctrl-a" … "ctrl-z", "ctrl-[", "ctrl-\", "ctrl-]", "ctrl-^",
/// "ctrl-_" (codes 0-31) or "DEL" (127). Default ctrl-p,ctrl-q.
/// </summary>
public static class DetachKeys
{
    public static readonly byte[] Default = [16, 17];

    private static readonly string[] Control =
    [
        "ctrl-@", "ctrl-a", "ctrl-b", "ctrl-c", "ctrl-d", "ctrl-e", "ctrl-f", "ctrl-g", "ctrl-h", "ctrl-i", "ctrl-j",
        "ctrl-k", "ctrl-l", "ctrl-m", "ctrl-n", "ctrl-o", "ctrl-p", "ctrl-q", "ctrl-r", "ctrl-s", "ctrl-t", "ctrl-u",
        "ctrl-v", "ctrl-w", "ctrl-x", "ctrl-y", "ctrl-z", "ctrl-[", "ctrl-\\", "ctrl-]", "ctrl-^", "ctrl-_",
    ];

    /// <summary>The byte sequence; the error text is moby/term's ("Unknown character: 'x'").</summary>
    public static bool TryParse(string keys, out byte[] codes, out string? error)
    {
        var list = new List<byte>();
        error = null;
        codes = [];
        foreach (string key in keys.Split(','))
        {
            // Go's len() counts bytes: one ASCII character is a key as is.
            if (key.Length == 1 && key[0] < 0x80)
            {
                list.Add((byte)key[0]);
                continue;
            }
            int code = Array.IndexOf(Control, key);
            if (code >= 0)
            {
                list.Add((byte)code);
            }
            else if (key == "DEL")
            {
                list.Add(127);
            }
            else
            {
                error = Messages.UnknownDetachKey(key);
                return false;
            }
        }
        codes = [.. list];
        return true;
    }

    /// <summary>The query value as dockerd takes it: empty gives the default; a bad spec is a 400.</summary>
    public static byte[] FromQuery(string? keys)
    {
        if (string.IsNullOrEmpty(keys))
        {
            return Default;
        }
        return TryParse(keys, out byte[] codes, out _) ? codes : throw DaemonException.InvalidParameter(Messages.InvalidDetachKeys(keys));
    }
}

/// <summary>
/// Watches a TTY attach's input for the detach sequence (moby/term escapeProxy): matched bytes
/// are held back; a mismatch releases them; the full sequence ends the input. Across reads.
/// </summary>
public sealed class DetachScanner(byte[] keys)
{
    private int _matched;

    /// <summary>
    /// Rewrites <paramref name="input"/> into <paramref name="output"/> (room for input plus the
    /// keys) without the bytes that may be the start of the sequence; returns the byte count to
    /// pass on and whether the sequence completed (then the bytes before it are passed, none after).
    /// </summary>
    public int Filter(ReadOnlySpan<byte> input, Span<byte> output, out bool detached)
    {
        detached = false;
        int n = 0;
        foreach (byte b in input)
        {
            if (keys.Length > 0 && b == keys[_matched])
            {
                _matched++;
                if (_matched == keys.Length)
                {
                    detached = true;
                    _matched = 0;
                    return n;
                }
                continue;
            }
            if (_matched > 0)
            {
                // Not the sequence after all: what was held back goes through first.
                keys.AsSpan(0, _matched).CopyTo(output[n..]);
                n += _matched;
                _matched = 0; // as moby/term: the mismatching byte is data, not a new start
            }
            output[n++] = b;
        }
        return n;
    }
}
