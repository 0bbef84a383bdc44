using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Networking;

/// <summary>
/// A daemon whose external DNS server is 127.0.0.1 (nothing listens there): names the embedded
/// server does not know are forwarded to the host's loopback and fail fast, so no test query
/// ever leaves the machine.
/// </summary>
public sealed class LoopbackDnsDaemon : BerthDaemon
{
    public LoopbackDnsDaemon()
        : base(new BerthDaemonOptions { AddressPoolSize = 26, ExtraArgs = ["--dns", "127.0.0.1"] })
    {
    }
}

/// <summary>
/// The embedded DNS server (127.0.0.11) with the real CLI and busybox's resolver: containers on a
/// user network find each other by name, --network-alias, short id and name.network; a container
/// on another network finds none of them; the default bridge keeps a copied resolv.conf.
/// </summary>
public sealed class EmbeddedDnsTests : CliTestBase<LoopbackDnsDaemon>, IClassFixture<LoopbackDnsDaemon>, IAsyncLifetime
{
    private static readonly TimeSpan RunWait = TimeSpan.FromSeconds(30);

    public EmbeddedDnsTests(LoopbackDnsDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public async Task DisposeAsync()
    {
        await ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);
        foreach (string name in (await Docker.RunOkAsync("network", "ls", "--format", "{{.Name}}")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (name is not ("bridge" or "host" or "none"))
            {
                await Docker.RunAsync("network", "rm", name);
            }
        }
    }

    [Fact]
    public async Task ContainersOnOneNetwork_ResolveEachOther_OthersCannot()
    {
        await Docker.RunOkAsync("network", "create", "appnet");
        await Docker.RunOkAsync("network", "create", "othernet");
        string alphaId = (await Docker.RunOkAsync("run", "-d", "--name", "alpha", "--network", "appnet", "--network-alias", "web", "busybox", "sleep", "300")).Trim();
        await Docker.RunOkAsync("run", "-d", "--name", "beta", "--network", "appnet", "busybox", "sleep", "300");
        string alphaIp = await IpOfAsync("alpha", "appnet");
        string betaIp = await IpOfAsync("beta", "appnet");

        string resolvConf = await Docker.RunOkAsync("run", "--rm", "--network", "appnet", "busybox", "cat", "/etc/resolv.conf");
        Assert.Contains("nameserver 127.0.0.11\n", resolvConf, StringComparison.Ordinal);
        Assert.Contains("ndots:0", resolvConf, StringComparison.Ordinal);

        // One container asks for all of them: name, alias, short id, name.network, and ping by name.
        string script = $"nslookup alpha && nslookup web && nslookup {alphaId[..12]} && nslookup beta.appnet && ping -c 1 -W 2 beta";
        var asked = await Docker.RunWithTimeoutAsync(RunWait, "run", "--rm", "--name", "gamma", "--network", "appnet", "busybox", "sh", "-c", script);
        Assert.True(asked.Succeeded, asked.ToString());
        Assert.Equal(3, CountOccurrences(asked.Stdout, $"Address: {alphaIp}"));
        Assert.Contains($"Address: {betaIp}", asked.Stdout, StringComparison.Ordinal);
        Assert.Contains($"PING beta ({betaIp})", asked.Stdout, StringComparison.Ordinal);

        // A container on another network: nothing of appnet resolves.
        var stranger = await Docker.RunWithTimeoutAsync(RunWait, "run", "--rm", "--network", "othernet", "busybox", "nslookup", "alpha");
        Assert.False(stranger.Succeeded, stranger.ToString());
        Assert.DoesNotContain(alphaIp, stranger.Stdout, StringComparison.Ordinal);

        // A stopped container's name goes away.
        await Docker.RunOkAsync("stop", "-t", "1", "beta");
        var gone = await Docker.RunWithTimeoutAsync(RunWait, "run", "--rm", "--network", "appnet", "busybox", "nslookup", "beta");
        Assert.DoesNotContain(betaIp, gone.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultBridge_GetsTheDaemonsServers_AndNoNameResolution()
    {
        await Docker.RunOkAsync("run", "-d", "--name", "onbridge", "busybox", "sleep", "300");
        string resolvConf = await Docker.RunOkAsync("run", "--rm", "busybox", "cat", "/etc/resolv.conf");
        Assert.DoesNotContain("127.0.0.11", resolvConf, StringComparison.Ordinal);
        Assert.Contains("nameserver 127.0.0.1\n", resolvConf, StringComparison.Ordinal); // the daemon's --dns
        var lookup = await Docker.RunWithTimeoutAsync(RunWait, "run", "--rm", "busybox", "nslookup", "onbridge");
        Assert.False(lookup.Succeeded, lookup.ToString());
    }

    [Fact]
    public async Task OneAliasForTwo_ResolvConfShape_AndNamesSurviveADaemonRestart()
    {
        await Docker.RunOkAsync("network", "create", "svcnet");
        await Docker.RunOkAsync("run", "-d", "--name", "one", "--network", "svcnet", "--network-alias", "svc", "busybox", "sleep", "300");
        await Docker.RunOkAsync("run", "-d", "--name", "two", "--network", "svcnet", "--network-alias", "svc", "busybox", "sleep", "300");
        string oneIp = await IpOfAsync("one", "svcnet");
        string twoIp = await IpOfAsync("two", "svcnet");

        // dockerd's layout (before 25) for the embedded resolver: its address, ndots:0, the external servers as a comment.
        string resolvConf = await Docker.RunOkAsync("exec", "one", "cat", "/etc/resolv.conf");
        Assert.StartsWith("nameserver 127.0.0.11\noptions ndots:0\n", resolvConf, StringComparison.Ordinal);
        Assert.Contains("# ExtServers: [", resolvConf, StringComparison.Ordinal);

        // Several containers behind one alias: the answer carries both addresses.
        string both = await Docker.RunOkAsync("exec", "one", "nslookup", "svc");
        Assert.Contains($"Address: {oneIp}", both, StringComparison.Ordinal);
        Assert.Contains($"Address: {twoIp}", both, StringComparison.Ordinal);

        Daemon.KillHard();
        await Daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await Daemon.RestartAsync();

        // The running containers' servers answer again (restored endpoints), and a new container joins.
        var afterRestart = await Docker.RunWithTimeoutAsync(RunWait, "exec", "one", "sh", "-c", "nslookup two && ping -c 1 -W 2 two");
        Assert.True(afterRestart.Succeeded, afterRestart.ToString());
        Assert.Contains($"Address: {twoIp}", afterRestart.Stdout, StringComparison.Ordinal);
        var newcomer = await Docker.RunWithTimeoutAsync(RunWait, "run", "--rm", "--network", "svcnet", "busybox", "nslookup", "one");
        Assert.True(newcomer.Succeeded, newcomer.ToString());
        Assert.Contains($"Address: {oneIp}", newcomer.Stdout, StringComparison.Ordinal);
        var reverse = await Docker.RunWithTimeoutAsync(RunWait, "exec", "two", "nslookup", "svc");
        Assert.Contains($"Address: {oneIp}", reverse.Stdout, StringComparison.Ordinal);
    }

    private async Task<string> IpOfAsync(string container, string network) =>
        (await Docker.RunOkAsync("container", "inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}", container)).Trim();

    private static int CountOccurrences(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
