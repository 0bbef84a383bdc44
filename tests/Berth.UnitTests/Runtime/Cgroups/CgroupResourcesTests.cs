using Berth.Engine.Containers;
using Berth.Runtime.Cgroups;
using Berth.Runtime.Containers;

namespace Berth.UnitTests.Runtime.Cgroups;

public sealed class CgroupResourcesTests
{
    private static (long, long) Sda(string path) => path == "/dev/sda" ? (8, 0) : throw new InvalidOperationException(path);

    [Fact]
    public void ForUpdate_AsDockerdsToContainerdResources()
    {
        CgroupResources r = CgroupResources.ForUpdate(new HostSettings
        {
            Memory = 64 << 20,
            MemorySwap = -1,
            NanoCpus = 500_000_000,
            PidsLimit = 0,
            MemorySwappiness = 10,
            BlkioDeviceReadBps = [new ThrottleDeviceSettings("/dev/sda", 1048576)],
        }, Sda);
        Assert.Equal(64L << 20, r.MemoryLimit);
        Assert.Null(r.MemorySwap); // only a positive swap is sent
        Assert.Equal((100_000UL, 50_000L), (r.CpuPeriod!.Value, r.CpuQuota!.Value));
        Assert.Equal(-1, r.PidsLimit);
        Assert.Null(r.Swappiness); // create-only
        Assert.Equal([new DeviceValue(8, 0, 1048576)], r.ReadBps);
        Assert.Null(CgroupResources.ForUpdate(new HostSettings(), Sda).PidsLimit);
    }

    [Fact]
    public void ProbeProcess_IsTheContainersProcessWithTheProbeArgs()
    {
        byte[] config = """{"ociVersion":"1.0.2","process":{"terminal":true,"consoleSize":{"height":24,"width":80},"user":{"uid":1000,"gid":1000},"args":["sleep","1000"],"env":["PATH=/bin","A=b"],"cwd":"/work"},"root":{"path":"rootfs"}}"""u8.ToArray();
        string json = ProbeRunner.ProcessJson(config, ["/bin/sh", "-c", "test -f \"/ok\""]);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var p = doc.RootElement;
        Assert.False(p.GetProperty("terminal").GetBoolean());
        Assert.False(p.TryGetProperty("consoleSize", out _));
        Assert.Equal(["/bin/sh", "-c", "test -f \"/ok\""], p.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("/work", p.GetProperty("cwd").GetString());
        Assert.Equal(1000, p.GetProperty("user").GetProperty("uid").GetInt32());
        Assert.Equal(2, p.GetProperty("env").GetArrayLength());
    }
}
