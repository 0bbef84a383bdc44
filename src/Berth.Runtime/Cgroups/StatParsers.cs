using System.Buffers.Text;
using Berth.Engine.Containers;

namespace Berth.Runtime.Cgroups;

/// <summary>
/// Parsers for the text formats of cgroupfs and /proc the stats read, on byte spans so a
/// reading allocates nothing. Malformed lines are skipped: the kernel owns these formats and
/// adds fields over time.
/// </summary>
public static class StatParsers
{
    /// <summary>A lone number (memory.current, pids.current); "max" (v2) is <paramref name="max"/>.</summary>
    public static bool TryParseValue(ReadOnlySpan<byte> text, out ulong value, ulong max = 0)
    {
        text = text.Trim((byte)'\n').Trim((byte)' ');
        if (text.SequenceEqual("max"u8))
        {
            value = max;
            return true;
        }
        return Utf8Parser.TryParse(text, out value, out int used) && used == text.Length;
    }

    /// <summary>"key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events): the values of <paramref name="keys"/>, by index.</summary>
    public static void ParseKeyValues(ReadOnlySpan<byte> text, IReadOnlyList<byte[]> keys, Span<ulong> values)
    {
        foreach (ReadOnlySpan<byte> line in new LineEnumerator(text))
        {
            int space = line.IndexOf((byte)' ');
            if (space <= 0)
            {
                continue;
            }
            ReadOnlySpan<byte> key = line[..space];
            for (int i = 0; i < keys.Count; i++)
            {
                if (key.SequenceEqual(keys[i]))
                {
                    if (Utf8Parser.TryParse(line[(space + 1)..], out ulong v, out _))
                    {
                        values[i] = v;
                    }
                    break;
                }
            }
        }
    }

    /// <summary>Space-separated numbers (cpuacct.usage_percpu).</summary>
    public static void ParseList(ReadOnlySpan<byte> text, CpuSample into)
    {
        while (true)
        {
            text = text.TrimStart(" \n"u8);
            if (text.IsEmpty || !Utf8Parser.TryParse(text, out ulong v, out int used))
            {
                return;
            }
            into.AddPerCpu(v);
            text = text[used..];
        }
    }

    /// <summary>cgroup v1 blkio lists: "8:0 Read 4096" lines; the trailing "Total N" line has no device and is left out.</summary>
    public static void ParseBlkioV1(ReadOnlySpan<byte> text, List<BlkioEntry> into)
    {
        foreach (ReadOnlySpan<byte> line in new LineEnumerator(text))
        {
            if (!TryParseDevice(line, out ulong major, out ulong minor, out int used))
            {
                continue;
            }
            ReadOnlySpan<byte> rest = line[used..].TrimStart((byte)' ');
            int space = rest.IndexOf((byte)' ');
            if (space <= 0 || !Utf8Parser.TryParse(rest[(space + 1)..], out ulong value, out _))
            {
                continue;
            }
            into.Add(new BlkioEntry(major, minor, Op(rest[..space]), value));
        }
    }

    /// <summary>cgroup v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 …" → read/write entries of bytes or of operations.</summary>
    public static void ParseIoStat(ReadOnlySpan<byte> text, List<BlkioEntry> bytes, List<BlkioEntry> operations)
    {
        foreach (ReadOnlySpan<byte> line in new LineEnumerator(text))
        {
            if (!TryParseDevice(line, out ulong major, out ulong minor, out int used))
            {
                continue;
            }
            ulong rbytes = 0, wbytes = 0, rios = 0, wios = 0;
            ReadOnlySpan<byte> rest = line[used..];
            while (!rest.IsEmpty)
            {
                rest = rest.TrimStart((byte)' ');
                int end = rest.IndexOf((byte)' ');
                ReadOnlySpan<byte> field = end < 0 ? rest : rest[..end];
                rest = end < 0 ? default : rest[end..];
                int eq = field.IndexOf((byte)'=');
                if (eq <= 0 || !Utf8Parser.TryParse(field[(eq + 1)..], out ulong v, out _))
                {
                    continue;
                }
                ReadOnlySpan<byte> name = field[..eq];
                if (name.SequenceEqual("rbytes"u8))
                {
                    rbytes = v;
                }
                else if (name.SequenceEqual("wbytes"u8))
                {
                    wbytes = v;
                }
                else if (name.SequenceEqual("rios"u8))
                {
                    rios = v;
                }
                else if (name.SequenceEqual("wios"u8))
                {
                    wios = v;
                }
            }
            bytes.Add(new BlkioEntry(major, minor, "read", rbytes));
            bytes.Add(new BlkioEntry(major, minor, "write", wbytes));
            operations.Add(new BlkioEntry(major, minor, "read", rios));
            operations.Add(new BlkioEntry(major, minor, "write", wios));
        }
    }

    /// <summary>
    /// /proc/stat: the host's CPU time in nanoseconds (user … steal of the "cpu" line, in clock
    /// ticks of 1/100 s, as dockerd) and the number of "cpuN" lines.
    /// </summary>
    public static (ulong Nanoseconds, uint OnlineCpus) ParseProcStat(ReadOnlySpan<byte> text)
    {
        ulong total = 0;
        uint cpus = 0;
        foreach (ReadOnlySpan<byte> line in new LineEnumerator(text))
        {
            if (line.Length < 4 || !line.StartsWith("cpu"u8))
            {
                break; // the cpu lines come first
            }
            if (line[3] == ' ')
            {
                ReadOnlySpan<byte> rest = line[3..];
                ulong ticks = 0;
                for (int i = 0; i < 7; i++)
                {
                    rest = rest.TrimStart((byte)' ');
                    if (!Utf8Parser.TryParse(rest, out ulong v, out int used))
                    {
                        break;
                    }
                    ticks += v;
                    rest = rest[used..];
                }
                total = ticks * (1_000_000_000UL / 100);
            }
            else if (line[3] is >= (byte)'0' and <= (byte)'9')
            {
                cpus++;
            }
        }
        return (total, cpus);
    }

    /// <summary>/proc/PID/net/dev: one entry per interface but lo (dockerd reports the endpoints, never lo).</summary>
    public static void ParseNetDev(ReadOnlySpan<byte> text, StatsSample into)
    {
        Span<ulong> f = stackalloc ulong[16];
        Span<char> chars = stackalloc char[64]; // interface names are at most 15 bytes
        foreach (ReadOnlySpan<byte> line in new LineEnumerator(text))
        {
            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue; // the two header lines
            }
            ReadOnlySpan<byte> name = line[..colon].Trim((byte)' ');
            if (name.IsEmpty || name.SequenceEqual("lo"u8))
            {
                continue;
            }
            ReadOnlySpan<byte> rest = line[(colon + 1)..];
            int count = 0;
            while (count < f.Length)
            {
                rest = rest.TrimStart((byte)' ');
                if (!Utf8Parser.TryParse(rest, out ulong v, out int used))
                {
                    break;
                }
                f[count++] = v;
                rest = rest[used..];
            }
            if (count < 12)
            {
                continue;
            }
            if (name.Length > chars.Length)
            {
                continue;
            }
            for (int i = 0; i < name.Length; i++)
            {
                chars[i] = (char)name[i];
            }
            NetworkSample n = into.NextNetwork(chars[..name.Length]);
            n.RxBytes = f[0];
            n.RxPackets = f[1];
            n.RxErrors = f[2];
            n.RxDropped = f[3];
            n.TxBytes = f[8];
            n.TxPackets = f[9];
            n.TxErrors = f[10];
            n.TxDropped = f[11];
        }
    }

    /// <summary>Pids, one per line (cgroup.procs).</summary>
    public static List<int> ParsePids(ReadOnlySpan<byte> text)
    {
        var pids = new List<int>();
        foreach (ReadOnlySpan<byte> line in new LineEnumerator(text))
        {
            if (Utf8Parser.TryParse(line, out int pid, out int used) && used == line.Length && pid > 0)
            {
                pids.Add(pid);
            }
        }
        return pids;
    }

    private static bool TryParseDevice(ReadOnlySpan<byte> line, out ulong major, out ulong minor, out int used)
    {
        minor = 0;
        used = 0;
        if (!Utf8Parser.TryParse(line, out major, out int a) || a >= line.Length || line[a] != ':')
        {
            return false;
        }
        if (!Utf8Parser.TryParse(line[(a + 1)..], out minor, out int b))
        {
            return false;
        }
        used = a + 1 + b;
        return true;
    }

    private static readonly string[] KnownOps = ["Read", "Write", "Sync", "Async", "Discard", "Total"];

    /// <summary>The op names come from a small fixed set: return the interned string instead of a new one.</summary>
    private static string Op(ReadOnlySpan<byte> text)
    {
        foreach (string op in KnownOps)
        {
            if (text.Length == op.Length && System.Text.Ascii.EqualsIgnoreCase(text, op) && text[0] == (byte)op[0])
            {
                return op;
            }
        }
        return System.Text.Encoding.ASCII.GetString(text);
    }

    /// <summary>Lines of a buffer without the '\n' (a ref struct: no allocation).</summary>
    public ref struct LineEnumerator
    {
        private ReadOnlySpan<byte> _rest;

        public LineEnumerator(ReadOnlySpan<byte> text)
        {
            _rest = text;
            Current = default;
        }

        public ReadOnlySpan<byte> Current { get; private set; }

        public readonly LineEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_rest.IsEmpty)
            {
                return false;
            }
            int nl = _rest.IndexOf((byte)'\n');
            Current = nl < 0 ? _rest : _rest[..nl];
            _rest = nl < 0 ? default : _rest[(nl + 1)..];
            return true;
        }
    }
}
