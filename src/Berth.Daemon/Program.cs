using Berth.Daemon.Configuration;
using Berth.Daemon.Hosting;
using Berth.Engine.SystemInfo;

// Before the runtime registers its signal handlers: SIGINT stops berthd even when started ignored.
Berth.Linux.Libc.UnignoreSignal(Berth.Linux.Libc.SIGINT);
var loaded = ConfigLoader.Load(args);
if (loaded.Error is not null)
{
    await Console.Error.WriteLineAsync($"berthd: {loaded.Error}");
    return 1;
}
if (loaded.ShowHelp)
{
    Console.WriteLine(ConfigLoader.Usage());
    return 0;
}
if (loaded.ShowVersion)
{
    Console.WriteLine($"Berth version {BuildInfo.Version}, build {BuildInfo.GitCommit}");
    return 0;
}
if (loaded.ValidateOnly)
{
    Console.WriteLine("configuration OK");
    return 0;
}
return await new DaemonHost(args, loaded.Config!).RunAsync();
