using System.Net;
using Berth.Engine.Distribution;
using Berth.Engine.Errors;

namespace Berth.UnitTests.Engine.Distribution;

public sealed class RegistryHostsTests
{
    private static RegistryHosts Hosts(RegistryOptions? options = null) =>
        RegistryHosts.Create(options ?? new RegistryOptions(), name => name == "reg.internal" ? [IPAddress.Parse("10.1.2.3")] : []);

    [Theory]
    [InlineData("127.0.0.1:5000", false)]
    [InlineData("127.1.2.3", false)]
    [InlineData("[::1]:5000", false)]
    [InlineData("registry.example:443", true)]
    [InlineData("docker.io", true)]
    [InlineData("10.1.2.3:5000", true)]
    public void Loopback_is_insecure_by_default(string host, bool secure) => Assert.Equal(secure, Hosts().IsSecure(host));

    [Fact]
    public void Listed_names_and_cidrs_are_insecure_and_names_resolve_into_cidrs()
    {
        var hosts = Hosts(new RegistryOptions { InsecureRegistries = ["my.reg:5000", "10.0.0.0/8"] });
        Assert.False(hosts.IsSecure("my.reg:5000"));
        Assert.True(hosts.IsSecure("my.reg:5001"));
        Assert.False(hosts.IsSecure("10.9.9.9:80"));
        Assert.False(hosts.IsSecure("reg.internal:5000"));
    }

    [Fact]
    public void Loopback_can_be_held_to_tls()
    {
        var hosts = Hosts(new RegistryOptions { LoopbackInsecure = false });
        Assert.True(hosts.IsSecure("127.0.0.1:5000"));
        Assert.Single(hosts.PullEndpoints("127.0.0.1:5000"));
    }

    [Fact]
    public void Insecure_registries_get_https_without_verification_then_http()
    {
        var endpoints = Hosts().PullEndpoints("127.0.0.1:5000");
        Assert.Equal(["https://127.0.0.1:5000/", "http://127.0.0.1:5000/"], endpoints.Select(e => e.BaseUri.ToString()));
        Assert.All(endpoints, e => Assert.True(e.SkipVerify));
        Assert.Equal("http://127.0.0.1:5000/v2/", endpoints[1].V2);
    }

    [Fact]
    public void Mirrors_come_first_for_docker_io_pulls_only()
    {
        var hosts = Hosts(new RegistryOptions { Mirrors = ["http://127.0.0.1:6000", "https://mirror.example/"] });
        Assert.Equal(["http://127.0.0.1:6000/", "https://mirror.example/", "https://registry-1.docker.io/"],
            hosts.PullEndpoints("docker.io").Select(e => e.BaseUri.ToString()));
        Assert.True(hosts.PullEndpoints("docker.io")[0].Mirror);
        Assert.Equal(["https://registry-1.docker.io/"], hosts.PushEndpoints("docker.io").Select(e => e.BaseUri.ToString()));
        Assert.Equal(["https://quay.example/"], hosts.PullEndpoints("quay.example").Select(e => e.BaseUri.ToString()));
    }

    [Theory]
    [InlineData("mirror", "invalid mirror: no scheme specified for \"mirror\": must use either 'https://' or 'http://'")]
    [InlineData("ftp://mirror", "invalid mirror: unsupported scheme \"ftp\" in \"ftp://mirror\": must use either 'https://' or 'http://'")]
    [InlineData("https://mirror/?a=b", "invalid mirror: query or fragment at end of the URI \"https://mirror/?a=b\"")]
    [InlineData("https://u:p@mirror", "invalid mirror: username/password not allowed in URI \"https://u:p@mirror\"")]
    public void Mirror_validation_uses_dockerds_texts(string mirror, string error)
    {
        var e = Assert.Throws<DaemonException>(() => RegistryHosts.ValidateMirror(mirror));
        Assert.Equal(error, e.Message);
    }
}
