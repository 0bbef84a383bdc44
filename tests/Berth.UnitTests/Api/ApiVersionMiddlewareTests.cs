using Berth.Api.Http;
using Berth.Engine.Errors;
using Microsoft.AspNetCore.Http;

namespace Berth.UnitTests.Api;

public class ApiVersionMiddlewareTests
{
    private static async Task<(HttpContext Context, bool Called)> RunAsync(string path)
    {
        bool called = false;
        var middleware = new ApiVersionMiddleware(_ => { called = true; return Task.CompletedTask; }, "Berth/test");
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        await middleware.InvokeAsync(context);
        return (context, called);
    }

    [Fact]
    public async Task StripsPrefixAndRecordsVersion()
    {
        var (context, called) = await RunAsync("/v1.41/containers/json");
        Assert.True(called);
        Assert.Equal("/containers/json", context.Request.Path.Value);
        Assert.Equal(new ApiVersion(1, 41), context.ApiVersion());
        Assert.Equal("1.44", context.Response.Headers["Api-Version"]);
        Assert.Equal("linux", context.Response.Headers["Ostype"]);
        Assert.Equal("false", context.Response.Headers["Docker-Experimental"]);
    }

    [Fact]
    public async Task UnprefixedPathGetsTheMaximum()
    {
        var (context, _) = await RunAsync("/version");
        Assert.Equal("/version", context.Request.Path.Value);
        Assert.Equal(ApiVersions.Max, context.ApiVersion());
    }

    [Fact]
    public async Task TooOldIsBadRequestWithDockerdText()
    {
        var error = await Assert.ThrowsAsync<DaemonException>(() => RunAsync("/v1.23/version"));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal("client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version", error.Message);
    }

    [Fact]
    public async Task TooNewIsBadRequestWithDockerdText()
    {
        var error = await Assert.ThrowsAsync<DaemonException>(() => RunAsync("/v1.99/version"));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal("client version 1.99 is too new. Maximum supported API version is 1.44", error.Message);
    }

    [Fact]
    public async Task GarbageVersionIsAnUnknownPage()
    {
        var error = await Assert.ThrowsAsync<DaemonException>(() => RunAsync("/v1.x/version"));
        Assert.Equal(ErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task PathsThatMerelyStartWithVAreNotVersions()
    {
        var (context, called) = await RunAsync("/volumes");
        Assert.True(called);
        Assert.Equal("/volumes", context.Request.Path.Value);
    }
}
