using System.Buffers;
using System.Text;
using System.Text.Json;
using Berth.Api.Streams;
using Berth.Engine.Containers;
using Berth.Runtime.Cgroups;

namespace Berth.UnitTests.Api;

public sealed class StatsJsonWriterTests
{
    private static string Json(StatsFrame frame)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        StatsJsonWriter.WriteLine(writer, buffer, frame);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Stopped_IsDockerdsZeroedObject()
    {
        // Captured from dockerd 20.10 (GET /containers/ss/stats?stream=false on a created container).
        const string expected = """{"read":"0001-01-01T00:00:00Z","preread":"0001-01-01T00:00:00Z","pids_stats":{},"blkio_stats":{"io_service_bytes_recursive":null,"io_serviced_recursive":null,"io_queue_recursive":null,"io_service_time_recursive":null,"io_wait_time_recursive":null,"io_merged_recursive":null,"io_time_recursive":null,"sectors_recursive":null},"num_procs":0,"storage_stats":{},"cpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},"precpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},"memory_stats":{},"name":"/ss","id":"0ffee0"}""";
        Assert.Equal(expected + "\n", Json(new StatsFrame("0ffee0", "/ss", new StatsSample(), default, null)));
    }

    [Fact]
    public void Running_V1_HasListsStatsAndPrecpu()
    {
        var current = new StatsSample { Valid = true, Read = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), PidsCurrent = 1, BlkioV1 = true };
        current.Cpu.TotalUsage = 25;
        current.Cpu.AddPerCpu(5);
        current.Cpu.AddPerCpu(20);
        current.Cpu.SystemUsage = 1000;
        current.Cpu.OnlineCpus = 2;
        current.Memory.Usage = 4096;
        current.Memory.Limit = 8192;
        current.Memory.UseKeys(CgroupV1.MemoryStatKeys);
        current.IoServiceBytes.Add(new BlkioEntry(8, 0, "Read", 512));
        NetworkSample eth = current.NextNetwork("eth0");
        eth.RxBytes = 7;
        var previous = new CpuSample { TotalUsage = 10, SystemUsage = 500, OnlineCpus = 2 };
        using var doc = JsonDocument.Parse(Json(new StatsFrame("id", "/n", current, current.Read.AddSeconds(-1), previous)));
        JsonElement root = doc.RootElement;
        Assert.Equal("2026-01-02T03:04:05Z", root.GetProperty("read").GetString());
        Assert.Equal("2026-01-02T03:04:04Z", root.GetProperty("preread").GetString());
        Assert.Equal(1, root.GetProperty("pids_stats").GetProperty("current").GetInt32());
        Assert.False(root.GetProperty("pids_stats").TryGetProperty("limit", out _));
        Assert.Equal("Read", root.GetProperty("blkio_stats").GetProperty("io_service_bytes_recursive")[0].GetProperty("op").GetString());
        Assert.Equal(0, root.GetProperty("blkio_stats").GetProperty("sectors_recursive").GetArrayLength());
        Assert.Equal([5UL, 20UL], root.GetProperty("cpu_stats").GetProperty("cpu_usage").GetProperty("percpu_usage").EnumerateArray().Select(e => e.GetUInt64()));
        Assert.Equal(2, root.GetProperty("cpu_stats").GetProperty("online_cpus").GetInt32());
        Assert.Equal(10, root.GetProperty("precpu_stats").GetProperty("cpu_usage").GetProperty("total_usage").GetInt32());
        Assert.Equal(32, root.GetProperty("memory_stats").GetProperty("stats").EnumerateObject().Count());
        Assert.False(root.GetProperty("memory_stats").TryGetProperty("max_usage", out _));
        Assert.Equal(7, root.GetProperty("networks").GetProperty("eth0").GetProperty("rx_bytes").GetInt32());
        Assert.Equal("/n", root.GetProperty("name").GetString());
    }
}
