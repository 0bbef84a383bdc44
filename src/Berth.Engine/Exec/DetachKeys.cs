using Berth.Engine.Errors;

namespace Berth.Engine.Exec;

/// <summary>
/// Detach key sequences as moby/term reads them ("ctrl-p,ctrl-q", single characters, "DEL").
/// Minimal copy for exec; the container attach side has its own parser (to be merged).
/// </summary>
public static class DetachKeys
{
    /// <summary>dockerd's default for TTY attaches when no keys were given.</summary>
    public static readonly byte[] Default = [16, 17];

    /// <summary>moby/term ToBytes; <paramref name="error"/> names the first unknown key.</summary>
    public static byte[]? TryParse(string keys, out string? error)
    {
        error = null;
        var codes = new List<byte>();
        foreach (string key in keys.Split(','))
        {
            if (key.Length == 1)
            {
                codes.Add((byte)key[0]);
                continue;
            }
            if (key == "DEL")
            {
                codes.Add(127);
                continue;
            }
            // ctrl-@ is 0, ctrl-a..ctrl-z 1..26, then ctrl-[ \ ] ^ _ 27..31: the ASCII control range.
            if (key.Length == 6 && key.StartsWith("ctrl-", StringComparison.Ordinal) && key[5] is '@' or (>= 'a' and <= 'z') or '[' or '\\' or ']' or '^' or '_')
            {
                codes.Add(key[5] is >= 'a' and <= 'z' ? (byte)(key[5] - 'a' + 1) : (byte)(key[5] - '@'));
                continue;
            }
            error = Messages.UnknownEscapeCharacter(key);
            return null;
        }
        return [.. codes];
    }
}

/// <summary>
/// Finds the detach sequence in TTY input the way moby/term's escape proxy does: bytes that may
/// start the sequence are held back, and given back when the next byte does not continue it.
/// </summary>
public sealed class EscapeScanner
{
    private readonly byte[] _keys;
    private int _matched;

    public EscapeScanner(byte[] keys)
    {
        _keys = keys.Length == 0 ? DetachKeys.Default : keys;
    }

    /// <summary>Appends the bytes to forward to <paramref name="forward"/>; true once the whole sequence was read (the rest is dropped).</summary>
    public bool Scan(ReadOnlySpan<byte> input, List<byte> forward)
    {
        foreach (byte b in input)
        {
            if (b == _keys[_matched])
            {
                if (++_matched == _keys.Length)
                {
                    return true;
                }
                continue;
            }
            for (int i = 0; i < _matched; i++)
            {
                forward.Add(_keys[i]);
            }
            _matched = 0;
            forward.Add(b);
        }
        return false;
    }
}
