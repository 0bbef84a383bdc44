using System.Buffers;
using System.Globalization;
using System.Text;

namespace Berth.Daemon.Transport;

/// <summary>
/// Makes HTTP/1.1 upgrade requests that carry a body upgradable for Kestrel. Docker clients send
/// `POST /exec/{id}/start` with a JSON body and `Connection: Upgrade` (dockerd reads the body,
/// then hijacks); Kestrel ignores the upgrade of any request with a body (aspnetcore#27921), so
/// the CLI would get a 200 and give up. This rewriter moves such a body (up to
/// <see cref="MaxBody"/>) into the <see cref="BodyHeader"/> header as base64 and drops
/// Content-Length; the route reads it from there. Everything else passes unchanged; request
/// boundaries are tracked (Content-Length and chunked bodies) so keep-alive connections work,
/// and after any upgrade request the rest of the connection is passed through untouched (it is
/// either a raw stream, or Kestrel closes it after the answer). Pure: bytes in, bytes out.
/// </summary>
public sealed class UpgradeBodyRewriter
{
    /// <summary>Must match the header the API's hijacking routes read (Berth.Api.Streams.Hijack.UpgradeBodyHeader).</summary>
    public const string BodyHeader = "Berth-Upgrade-Body";

    public const int MaxHead = 64 * 1024;
    public const int MaxBody = 16 * 1024;

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] LineEnd = "\r\n"u8.ToArray();

    private enum State
    {
        Head,
        Body,
        ChunkLine,
        ChunkData,
        Trailers,
        PassThrough,
    }

    private State _state = State.Head;
    private long _remaining;

    /// <summary>
    /// Consumes what it can of <paramref name="input"/>, writing the result to <paramref name="output"/>.
    /// Returns how much was consumed; the rest (an incomplete head or line) must be offered again with more data.
    /// </summary>
    public long Process(ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        long start = input.Length;
        while (input.Length > 0)
        {
            long before = input.Length;
            input = Step(input, output);
            if (input.Length == before)
            {
                break; // needs more data
            }
        }
        return start - input.Length;
    }

    /// <summary>What is left over at the end of the input (for a FIN mid-head): passed as is.</summary>
    public static void Flush(ReadOnlySequence<byte> rest, IBufferWriter<byte> output) => Write(output, rest);

    private ReadOnlySequence<byte> Step(ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        switch (_state)
        {
            case State.PassThrough:
                Write(output, input);
                return input.Slice(input.Length);
            case State.Body:
            case State.ChunkData:
                long n = Math.Min(_remaining, input.Length);
                Write(output, input.Slice(0, n));
                _remaining -= n;
                if (_remaining == 0)
                {
                    _state = _state == State.Body ? State.Head : State.ChunkLine;
                }
                return input.Slice(n);
            case State.ChunkLine:
            case State.Trailers:
                return Line(input, output);
            default:
                return Head(input, output);
        }
    }

    private ReadOnlySequence<byte> Head(ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        var reader = new SequenceReader<byte>(input);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, HeadEnd, advancePastDelimiter: true))
        {
            if (input.Length > MaxHead)
            {
                _state = State.PassThrough; // not HTTP we understand: Kestrel decides
            }
            return input;
        }
        long headLength = reader.Consumed;
        string text = Encoding.Latin1.GetString(head.ToArray());
        string[] lines = text.Split("\r\n");
        bool upgrade = false, chunked = false;
        long? length = null;
        for (int i = 1; i < lines.Length; i++)
        {
            int colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }
            string name = lines[i][..colon].Trim();
            string value = lines[i][(colon + 1)..].Trim();
            if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                upgrade |= value.Split(',').Any(t => t.Trim().Equals("upgrade", StringComparison.OrdinalIgnoreCase));
            }
            else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long l) ? l : -1;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = value.EndsWith("chunked", StringComparison.OrdinalIgnoreCase);
            }
        }
        if (upgrade && !chunked && length is > 0 and <= MaxBody)
        {
            if (input.Length < headLength + length.Value)
            {
                return input; // wait for the whole body
            }
            byte[] body = input.Slice(headLength, length.Value).ToArray();
            var rewritten = new StringBuilder();
            foreach (string line in lines.Where(l => !l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)))
            {
                rewritten.Append(line).Append("\r\n");
            }
            rewritten.Append(BodyHeader).Append(": ").Append(Convert.ToBase64String(body)).Append("\r\n\r\n");
            output.Write(Encoding.Latin1.GetBytes(rewritten.ToString()));
            _state = State.PassThrough;
            return input.Slice(headLength + length.Value);
        }
        Write(output, input.Slice(0, headLength));
        if (upgrade || length < 0)
        {
            _state = State.PassThrough;
        }
        else if (chunked)
        {
            _state = State.ChunkLine;
        }
        else if (length > 0)
        {
            _state = State.Body;
            _remaining = length.Value;
        }
        return input.Slice(headLength);
    }

    /// <summary>A chunk-size line ("1a;ext") or a trailer line; an empty trailer line ends the request.</summary>
    private ReadOnlySequence<byte> Line(ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        var reader = new SequenceReader<byte>(input);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, LineEnd, advancePastDelimiter: true))
        {
            if (input.Length > MaxHead)
            {
                _state = State.PassThrough;
            }
            return input;
        }
        Write(output, input.Slice(0, reader.Consumed));
        if (_state == State.Trailers)
        {
            if (line.Length == 0)
            {
                _state = State.Head;
            }
            return input.Slice(reader.Consumed);
        }
        string size = Encoding.Latin1.GetString(line.ToArray()).Split(';')[0].Trim();
        if (!long.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long chunk) || chunk < 0)
        {
            _state = State.PassThrough; // malformed: Kestrel rejects it
        }
        else if (chunk == 0)
        {
            _state = State.Trailers;
        }
        else
        {
            _state = State.ChunkData;
            _remaining = chunk + 2; // data, then its CRLF
        }
        return input.Slice(reader.Consumed);
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySequence<byte> data)
    {
        foreach (ReadOnlyMemory<byte> segment in data)
        {
            output.Write(segment.Span);
        }
    }
}
