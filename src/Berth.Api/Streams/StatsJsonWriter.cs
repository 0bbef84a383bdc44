using System.Buffers;
using System.Text.Json;
using Berth.Engine.Containers;
using Berth.Engine.Images;

namespace Berth.Api.Streams;

/// <summary>
/// Writes one stats object as dockerd encodes types.StatsJSON (field order, Go's omitempty
/// rules, map keys sorted) straight from a <see cref="StatsSample"/>: no DTO graph per second.
/// A zeroed (not running) sample gives dockerd's empty object with only name and id.
/// </summary>
public static class StatsJsonWriter
{
    private const string ZeroTime = "0001-01-01T00:00:00Z";

    /// <summary>The v1 lists Berth has no source for (CFQ-only counters): empty on v1, null elsewhere.</summary>
    private static readonly byte[][] OtherBlkioLists =
    [
        "io_queue_recursive"u8.ToArray(), "io_service_time_recursive"u8.ToArray(), "io_wait_time_recursive"u8.ToArray(),
        "io_merged_recursive"u8.ToArray(), "io_time_recursive"u8.ToArray(), "sectors_recursive"u8.ToArray(),
    ];

    private static readonly List<BlkioEntry> NoEntries = [];

    public static void Write(Utf8JsonWriter w, StatsFrame frame)
    {
        StatsSample s = frame.Current;
        w.WriteStartObject();
        w.WriteString("read"u8, s.Valid ? GoTime.FormatRfc3339Nano(s.Read.ToUniversalTime()) : ZeroTime);
        w.WriteString("preread"u8, frame.PreviousCpu is null ? ZeroTime : GoTime.FormatRfc3339Nano(frame.PreviousRead.ToUniversalTime()));

        w.WriteStartObject("pids_stats"u8);
        if (s.Valid)
        {
            OmitZero(w, "current"u8, s.PidsCurrent);
            OmitZero(w, "limit"u8, s.PidsLimit);
        }
        w.WriteEndObject();

        w.WriteStartObject("blkio_stats"u8);
        bool lists = s.Valid && s.BlkioV1;
        Blkio(w, "io_service_bytes_recursive"u8, s.IoServiceBytes, s.Valid && (s.BlkioV1 || s.IoServiceBytes.Count > 0));
        Blkio(w, "io_serviced_recursive"u8, s.IoServiced, lists);
        foreach (byte[] name in OtherBlkioLists)
        {
            Blkio(w, name, NoEntries, lists);
        }
        w.WriteEndObject();

        w.WriteNumber("num_procs"u8, 0);
        w.WriteStartObject("storage_stats"u8);
        w.WriteEndObject();
        Cpu(w, "cpu_stats"u8, s.Valid ? s.Cpu : null);
        Cpu(w, "precpu_stats"u8, frame.PreviousCpu);

        w.WriteStartObject("memory_stats"u8);
        if (s.Valid)
        {
            MemorySample m = s.Memory;
            OmitZero(w, "usage"u8, m.Usage);
            OmitZero(w, "max_usage"u8, m.MaxUsage);
            if (m.StatKeys.Count > 0)
            {
                w.WriteStartObject("stats"u8);
                for (int i = 0; i < m.StatKeys.Count; i++)
                {
                    w.WriteNumber(m.StatKeys[i], m.StatValues[i]);
                }
                w.WriteEndObject();
            }
            OmitZero(w, "failcnt"u8, m.Failcnt);
            OmitZero(w, "limit"u8, m.Limit);
        }
        w.WriteEndObject();

        w.WriteString("name"u8, frame.Name);
        w.WriteString("id"u8, frame.Id);
        if (s.Valid && s.NetworkCount > 0)
        {
            w.WriteStartObject("networks"u8);
            // Go sorts map keys; interfaces come in /proc order, so sort the few names here.
            Span<int> order = stackalloc int[Math.Min(s.NetworkCount, 64)];
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }
            List<NetworkSample> nets = s.Networks;
            order.Sort((a, b) => string.CompareOrdinal(nets[a].Name, nets[b].Name));
            foreach (int i in order)
            {
                NetworkSample n = nets[i];
                w.WriteStartObject(n.Name);
                w.WriteNumber("rx_bytes"u8, n.RxBytes);
                w.WriteNumber("rx_packets"u8, n.RxPackets);
                w.WriteNumber("rx_errors"u8, n.RxErrors);
                w.WriteNumber("rx_dropped"u8, n.RxDropped);
                w.WriteNumber("tx_bytes"u8, n.TxBytes);
                w.WriteNumber("tx_packets"u8, n.TxPackets);
                w.WriteNumber("tx_errors"u8, n.TxErrors);
                w.WriteNumber("tx_dropped"u8, n.TxDropped);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void Cpu(Utf8JsonWriter w, ReadOnlySpan<byte> name, CpuSample? c)
    {
        w.WriteStartObject(name);
        w.WriteStartObject("cpu_usage"u8);
        w.WriteNumber("total_usage"u8, c?.TotalUsage ?? 0);
        if (c is { PerCpuCount: > 0 })
        {
            w.WriteStartArray("percpu_usage"u8);
            foreach (ulong v in c.PerCpu)
            {
                w.WriteNumberValue(v);
            }
            w.WriteEndArray();
        }
        w.WriteNumber("usage_in_kernelmode"u8, c?.UsageInKernelmode ?? 0);
        w.WriteNumber("usage_in_usermode"u8, c?.UsageInUsermode ?? 0);
        w.WriteEndObject();
        if (c is not null)
        {
            OmitZero(w, "system_cpu_usage"u8, c.SystemUsage);
            OmitZero(w, "online_cpus"u8, c.OnlineCpus);
        }
        w.WriteStartObject("throttling_data"u8);
        w.WriteNumber("periods"u8, c?.ThrottlingPeriods ?? 0);
        w.WriteNumber("throttled_periods"u8, c?.ThrottledPeriods ?? 0);
        w.WriteNumber("throttled_time"u8, c?.ThrottledTime ?? 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A Go nil slice is null, an empty one []: v1 readings give lists, zeroed and v2 mostly null.</summary>
    private static void Blkio(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<BlkioEntry> entries, bool present)
    {
        if (!present)
        {
            w.WriteNull(name);
            return;
        }
        w.WriteStartArray(name);
        foreach (BlkioEntry e in entries)
        {
            w.WriteStartObject();
            w.WriteNumber("major"u8, e.Major);
            w.WriteNumber("minor"u8, e.Minor);
            w.WriteString("op"u8, e.Op);
            w.WriteNumber("value"u8, e.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void OmitZero(Utf8JsonWriter w, ReadOnlySpan<byte> name, ulong value)
    {
        if (value != 0)
        {
            w.WriteNumber(name, value);
        }
    }

    /// <summary>One object followed by '\n' (Go's json.Encoder) into <paramref name="buffer"/>, reusing the writer.</summary>
    public static void WriteLine(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer, StatsFrame frame)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        Write(writer, frame);
        writer.Flush();
        buffer.Write("\n"u8);
    }
}
