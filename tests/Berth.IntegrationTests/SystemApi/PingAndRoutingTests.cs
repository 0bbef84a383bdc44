using System.Net;
using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.SystemApi;

/// <summary>The API edge over raw HTTP: /_ping headers, version prefixes, 404/503 bodies.</summary>
public sealed class PingAndRoutingTests : IClassFixture<BerthDaemon>, IDisposable
{
    private readonly RawHttp _http;
    private readonly IDisposable _log;

    public PingAndRoutingTests(BerthDaemon daemon, ITestOutputHelper output)
    {
        _log = daemon.LogTo(output);
        _http = daemon.Http();
    }

    public void Dispose()
    {
        _http.Dispose();
        _log.Dispose();
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public async Task Ping_AnswersOkWithDockerdHeaders(string method)
    {
        var r = await _http.SendAsync(new HttpMethod(method), "/_ping");

        Assert.True(r.StatusCode == 200, r.ToString());
        Assert.Equal(method == "GET" ? "OK" : "", r.Body);
        Assert.Equal("1.44", r.Header("Api-Version"));
        Assert.Equal("linux", r.Header("Ostype"));
        Assert.Equal("false", r.Header("Docker-Experimental"));
        Assert.Equal("no-cache, no-store, must-revalidate", r.Header("Cache-Control"));
        Assert.Equal("no-cache", r.Header("Pragma"));
        Assert.False(string.IsNullOrEmpty(r.Header("Builder-Version")), r.ToString());
    }

    [Fact]
    public async Task Ping_UnderMinimumVersionPrefix_Answers200()
    {
        var r = await _http.GetAsync("/v1.24/_ping");
        Assert.True(r.StatusCode == 200, r.ToString());
        Assert.Equal("OK", r.Body);
    }

    [Fact]
    public async Task Version_UnderMaximumVersionPrefix_Answers200()
    {
        var r = await _http.GetAsync("/v1.44/version");
        Assert.True(r.StatusCode == 200, r.ToString());
        Assert.Equal("1.44", r.Json().GetProperty("ApiVersion").GetString());
    }

    [Fact]
    public async Task Version_TooOldPrefix_Answers400WithDockerdMessage()
    {
        var r = await _http.GetAsync("/v1.23/version");
        Assert.True(r.StatusCode == 400, r.ToString());
        Assert.StartsWith("application/json", r.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal("client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version", r.Message);
    }

    [Fact]
    public async Task Version_TooNewPrefix_Answers400()
    {
        var r = await _http.GetAsync("/v1.99/version");
        Assert.True(r.StatusCode == 400, r.ToString());
        Assert.Contains("client version 1.99 is too new", r.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/no/such/route")]
    [InlineData("/v1.44/no/such/route")]
    public async Task UnknownRoute_Answers404PageNotFound(string path)
    {
        var r = await _http.GetAsync(path);
        Assert.True(r.StatusCode == 404, r.ToString());
        Assert.Equal("""{"message":"page not found"}""", r.Body.Trim());
    }

    [Fact]
    public async Task Swarm_Answers503NotASwarmManager()
    {
        var r = await _http.GetAsync("/swarm");
        Assert.True(r.StatusCode == 503, r.ToString());
        Assert.Contains("This node is not a swarm manager", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plugins_AnswersEmptyList()
    {
        var r = await _http.GetAsync("/plugins");
        Assert.True(r.StatusCode == 200, r.ToString());
        Assert.Equal(JsonValueKind.Array, r.Json().ValueKind);
        Assert.Equal(0, r.Json().GetArrayLength());
    }

    [Fact]
    public async Task Info_AnswersJsonWithIdAndDataRoot()
    {
        var r = await _http.GetAsync("/v1.24/info");
        Assert.True(r.StatusCode == 200, r.ToString());
        var info = r.Json();
        Assert.False(string.IsNullOrEmpty(info.GetProperty("ID").GetString()));
        Assert.Equal("overlay2", info.GetProperty("Driver").GetString());
    }

    [Fact]
    public async Task RawRequest_Http11WithConnectionClose_GetsFullResponse()
    {
        string response = await _http.SendRawAsync("GET /_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nOK", response, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/_ping")).Status);
    }
}
