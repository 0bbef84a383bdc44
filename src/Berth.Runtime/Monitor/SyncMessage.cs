using System.Globalization;
using System.Text;

namespace Berth.Runtime.Monitor;

/// <summary>
/// One message from conmon's sync pipe: {"data": N} or {"data": -1, "message": "..."}.
/// Parsed by hand because conmon escapes the message with g_strescape, which writes bytes
/// >= 0x7f (UTF-8) and control characters as octal "\ooo" — not valid JSON.
/// </summary>
public readonly record struct SyncMessage(int Data, string? Message)
{
    public static bool TryParse(ReadOnlySpan<byte> utf8, out SyncMessage message)
    {
        message = default;
        int dataAt = utf8.IndexOf("\"data\""u8);
        if (dataAt < 0)
        {
            return false;
        }
        ReadOnlySpan<byte> rest = utf8[(dataAt + 6)..].TrimStart(" \t:"u8);
        int end = 0;
        while (end < rest.Length && (rest[end] == '-' || (rest[end] >= '0' && rest[end] <= '9')))
        {
            end++;
        }
        if (!int.TryParse(Encoding.ASCII.GetString(rest[..end]), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int data))
        {
            return false;
        }
        string? text = null;
        int messageAt = utf8.IndexOf("\"message\""u8);
        if (messageAt >= 0)
        {
            ReadOnlySpan<byte> m = utf8[(messageAt + 9)..].TrimStart(" \t:"u8);
            if (m.Length > 0 && m[0] == '"')
            {
                text = Unescape(m[1..]);
            }
        }
        message = new SyncMessage(data, text);
        return true;
    }

    /// <summary>Undoes g_strescape (and JSON's \uXXXX, in case a future conmon emits real JSON) up to the closing quote.</summary>
    private static string Unescape(ReadOnlySpan<byte> s)
    {
        var bytes = new List<byte>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            byte c = s[i];
            if (c == '"')
            {
                break;
            }
            if (c != '\\' || i + 1 >= s.Length)
            {
                bytes.Add(c);
                continue;
            }
            byte e = s[++i];
            switch (e)
            {
                case (byte)'n': bytes.Add((byte)'\n'); break;
                case (byte)'t': bytes.Add((byte)'\t'); break;
                case (byte)'r': bytes.Add((byte)'\r'); break;
                case (byte)'b': bytes.Add((byte)'\b'); break;
                case (byte)'f': bytes.Add((byte)'\f'); break;
                case (byte)'v': bytes.Add((byte)'\v'); break;
                case (byte)'u' when i + 4 < s.Length:
                    int code = int.Parse(Encoding.ASCII.GetString(s.Slice(i + 1, 4)), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    bytes.AddRange(Encoding.UTF8.GetBytes(char.ConvertFromUtf32(code)));
                    i += 4;
                    break;
                case >= (byte)'0' and <= (byte)'7':
                    int value = e - '0';
                    for (int k = 0; k < 2 && i + 1 < s.Length && s[i + 1] >= '0' && s[i + 1] <= '7'; k++)
                    {
                        value = (value * 8) + (s[++i] - '0');
                    }
                    bytes.Add((byte)value);
                    break;
                default: bytes.Add(e); break; // \" \\ \/
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray()).TrimEnd('\n');
    }
}
