using System.Text;
using Berth.Engine.Containers;
using Berth.Runtime.Cgroups;

namespace Berth.UnitTests.Runtime.Cgroups;

public sealed class StatParsersTests
{
    [Fact]
    public void ProcStat_SumsTheFirstSevenFields_CountsCpus()
    {
        byte[] text = Encoding.ASCII.GetBytes("cpu  100 2 30 4000 5 6 7 8 0 0\ncpu0 50 1 15 2000 2 3 3 4 0 0\ncpu1 50 1 15 2000 3 3 4 4 0 0\nintr 1 2\n");
        (ulong ns, uint cpus) = StatParsers.ParseProcStat(text);
        Assert.Equal((100UL + 2 + 30 + 4000 + 5 + 6 + 7) * 10_000_000UL, ns);
        Assert.Equal(2U, cpus);
    }

    [Fact]
    public void NetDev_SkipsLoAndHeaders()
    {
        byte[] text = Encoding.ASCII.GetBytes(
            "Inter-|   Receive                                                |  Transmit\n" +
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n" +
            "    lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0\n" +
            "  eth0:    5000      40    1    2    0     0          0         0     3000      30    3    4    0     0       0          0\n");
        var sample = new StatsSample();
        StatParsers.ParseNetDev(text, sample);
        Assert.Equal(1, sample.NetworkCount);
        NetworkSample eth0 = sample.Networks[0];
        Assert.Equal("eth0", eth0.Name);
        Assert.Equal((5000UL, 40UL, 1UL, 2UL), (eth0.RxBytes, eth0.RxPackets, eth0.RxErrors, eth0.RxDropped));
        Assert.Equal((3000UL, 30UL, 3UL, 4UL), (eth0.TxBytes, eth0.TxPackets, eth0.TxErrors, eth0.TxDropped));
        // a second reading reuses the entry (and its name string)
        sample.Reset();
        StatParsers.ParseNetDev(text, sample);
        Assert.Same(eth0, sample.Networks[0]);
        Assert.Equal("eth0", sample.Networks[0].Name);
    }

    [Fact]
    public void Value_MaxAndNumbers()
    {
        Assert.True(StatParsers.TryParseValue("max\n"u8, out ulong v, max: 42));
        Assert.Equal(42UL, v);
        Assert.True(StatParsers.TryParseValue("123\n"u8, out v));
        Assert.Equal(123UL, v);
        Assert.False(StatParsers.TryParseValue("12x"u8, out _));
    }

    [Fact]
    public void IoStat_ReadAndWritePerDevice()
    {
        var bytes = new List<BlkioEntry>();
        var ops = new List<BlkioEntry>();
        StatParsers.ParseIoStat("8:16 rbytes=10 wbytes=20 rios=1 wios=2\n253:0 rbytes=0 wbytes=5 rios=0 wios=1 dbytes=0 dios=0\n"u8, bytes, ops);
        Assert.Equal([new BlkioEntry(8, 16, "read", 10), new BlkioEntry(8, 16, "write", 20), new BlkioEntry(253, 0, "read", 0), new BlkioEntry(253, 0, "write", 5)], bytes);
        Assert.Equal(4, ops.Count);
    }

    [Fact]
    public void Pids_OnePerLine() => Assert.Equal([1, 22, 333], StatParsers.ParsePids("1\n22\n333\n"u8));
}
