using Berth.Daemon.Configuration;
using Berth.Engine.Configuration;

namespace Berth.UnitTests.Daemon.Configuration;

public sealed class RegistryConfigTests : IDisposable
{
    private readonly ConfigTestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private ConfigLoadResult Load(string json, params string[] args) => _dir.Load(json, args);

    [Fact]
    public void Defaults_are_dockerds()
    {
        var c = Load("").Config!;
        Assert.Equal(3, c.Registry.MaxConcurrentDownloads);
        Assert.Equal(5, c.Registry.MaxConcurrentUploads);
        Assert.Empty(c.Registry.Mirrors);
        Assert.Empty(c.Registry.InsecureRegistries);
        Assert.True(c.Registry.LoopbackInsecure);
        Assert.Equal("/etc/berth/certs.d", c.Registry.CertsDir);
    }

    [Fact]
    public void File_keys_and_flags_are_read()
    {
        var c = Load("""{"registry-mirrors": ["https://mirror.example"], "insecure-registries": ["10.0.0.0/8", "reg.local:5000"], "max-concurrent-downloads": 6}""",
            "--max-concurrent-uploads", "2", "--registry-certs-dir", "/tmp/certs", "--registry-loopback-insecure=false").Config!;
        Assert.Equal(["https://mirror.example"], c.Registry.Mirrors);
        Assert.Equal(["10.0.0.0/8", "reg.local:5000"], c.Registry.InsecureRegistries);
        Assert.Equal(6, c.Registry.MaxConcurrentDownloads);
        Assert.Equal(2, c.Registry.MaxConcurrentUploads);
        Assert.Equal("/tmp/certs", c.Registry.CertsDir);
        Assert.False(c.Registry.LoopbackInsecure);
    }

    [Fact]
    public void Repeated_flags_make_lists()
    {
        var c = Load("", "--insecure-registry", "a.local:5000", "--insecure-registry", "192.168.0.0/16", "--registry-mirror", "http://m:5000").Config!;
        Assert.Equal(["a.local:5000", "192.168.0.0/16"], c.Registry.InsecureRegistries);
        Assert.Equal(["http://m:5000"], c.Registry.Mirrors);
    }

    [Theory]
    [InlineData("""{"max-concurrent-downloads": -1}""", "invalid max concurrent downloads: -1")]
    [InlineData("""{"max-concurrent-uploads": "3"}""", "invalid value for \"max-concurrent-uploads\": expected an integer, got string")]
    [InlineData("""{"registry-mirrors": ["mirror.example"]}""", "invalid mirror: no scheme specified for \"mirror.example\": must use either 'https://' or 'http://'")]
    [InlineData("""{"insecure-registries": ["ftp://x"]}""", "insecure registry ftp://x should not contain '://'")]
    [InlineData("""{"insecure-registries": ["-bad"]}""", "invalid index name (-bad). Cannot begin or end with a hyphen")]
    public void Bad_values_are_refused(string json, string error)
    {
        var result = Load(json);
        Assert.Null(result.Config);
        Assert.Contains(error, result.Error);
    }
}
