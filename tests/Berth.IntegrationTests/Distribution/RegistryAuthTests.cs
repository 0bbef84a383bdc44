using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Distribution;

/// <summary>A registry with htpasswd (Basic) auth for user "alice".</summary>
public sealed class HtpasswdRegistry() : RegistryFixture(new RegistryOptions
{
    HtpasswdUsers = new Dictionary<string, string> { ["alice"] = "wonderland" },
});

/// <summary>docker login / push / pull against a registry with Basic auth.</summary>
public sealed class BasicAuthTests(BerthDaemon daemon, HtpasswdRegistry registry, ITestOutputHelper output)
    : CliTestBase<BerthDaemon>(daemon, output), IClassFixture<BerthDaemon>, IClassFixture<HtpasswdRegistry>
{
    [Fact]
    public async Task LoginAnswersLikeDockerd()
    {
        var bad = await Docker.RunWithInputAsync("nope\n", "login", registry.Host, "-u", "alice", "--password-stdin");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains($"login attempt to http://{registry.Host}/v2/ failed with status: 401 Unauthorized", bad.Stderr);

        var good = await Docker.RunWithInputAsync("wonderland\n", "login", registry.Host, "-u", "alice", "--password-stdin");
        Assert.True(good.Succeeded, good.ToString());
        Assert.Contains("Login Succeeded", good.Stdout);
    }

    [Fact]
    public async Task PushAndPullNeedCredentials()
    {
        var name = $"{registry.Host}/alice/app:1";
        await RegistryTestKit.ImportBusyboxAsync(Docker, ScratchDir, name);

        using var anonymous = Daemon.Cli();
        var denied = await anonymous.RunAsync("push", name);
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("no basic auth credentials", denied.Stdout + denied.Stderr);

        (await Docker.RunWithInputAsync("wonderland\n", "login", registry.Host, "-u", "alice", "--password-stdin")).EnsureSuccess();
        var push = await Docker.RunOkAsync("push", name);
        var digest = RegistryTestKit.PushedDigest(push);
        await Docker.RunOkAsync("rmi", name);

        var anonymousPull = await anonymous.RunAsync("pull", name);
        Assert.NotEqual(0, anonymousPull.ExitCode);
        Assert.Contains("no basic auth credentials", anonymousPull.Stderr);

        var pull = await Docker.RunOkAsync("pull", name);
        Assert.Contains($"Digest: {digest}", pull);
    }
}

/// <summary>A token server (in the test process) and a registry trusting it.</summary>
public sealed class TokenRegistry : IAsyncLifetime
{
    public TokenServer Tokens { get; private set; } = null!;

    public RegistryFixture Registry { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Tokens = await TokenServer.StartAsync(new Dictionary<string, string> { ["bob"] = "builder" });
        Registry = await RegistryFixture.StartAsync(new RegistryOptions
        {
            Token = (Tokens.Realm, TokenServer.Service, TokenServer.Issuer, Tokens.CertBundle),
        });
    }

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        await Tokens.DisposeAsync();
    }
}

/// <summary>docker login / push / pull against a registry with bearer token auth.</summary>
public sealed class TokenAuthTests(BerthDaemon daemon, TokenRegistry setup, ITestOutputHelper output)
    : CliTestBase<BerthDaemon>(daemon, output), IClassFixture<BerthDaemon>, IClassFixture<TokenRegistry>
{
    private string Host => setup.Registry.Host;

    [Fact]
    public async Task LoginWithBadPasswordIsUnauthorized()
    {
        var bad = await Docker.RunWithInputAsync("wrong\n", "login", Host, "-u", "bob", "--password-stdin");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains($"Get \"http://{Host}/v2/\": unauthorized: incorrect username or password", bad.Stderr);
    }

    [Fact]
    public async Task AnonymousIsDeniedAndALoggedInUserPushesAndPulls()
    {
        var name = $"{Host}/bob/tool:1";
        await RegistryTestKit.ImportBusyboxAsync(Docker, ScratchDir, name);

        var denied = await Docker.RunAsync("pull", $"{Host}/bob/tool:1");
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains($"pull access denied for {Host}/bob/tool, repository does not exist or may require 'docker login'", denied.Stderr);

        var login = await Docker.RunWithInputAsync("builder\n", "login", Host, "-u", "bob", "--password-stdin");
        Assert.True(login.Succeeded, login.ToString());
        Assert.Contains("Login Succeeded", login.Stdout);
        // The token server handed out a refresh token: the CLI keeps it as an identity token.
        Assert.Contains("identitytoken", await File.ReadAllTextAsync(Path.Combine(Docker.ConfigDir, "config.json")));

        var push = await Docker.RunOkAsync("push", name);
        var digest = RegistryTestKit.PushedDigest(push);
        await Docker.RunOkAsync("rmi", name);
        var pull = await Docker.RunOkAsync("pull", name);
        Assert.Contains($"Digest: {digest}", pull);
        Assert.Contains(setup.Tokens.Requests, r => r.StartsWith("POST account=bob", StringComparison.Ordinal) && r.Contains("repository:bob/tool:pull,push", StringComparison.Ordinal));
    }
}
