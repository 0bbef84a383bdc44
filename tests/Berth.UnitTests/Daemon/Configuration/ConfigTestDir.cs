namespace Berth.UnitTests.Daemon.Configuration;

/// <summary>A throwaway directory for daemon.json files; removed on dispose.</summary>
internal sealed class ConfigTestDir : IDisposable
{
    public ConfigTestDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "berth-config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File => System.IO.Path.Combine(Path, "daemon.json");

    public string Write(string json)
    {
        System.IO.File.WriteAllText(File, json);
        return File;
    }

    /// <summary>Arguments that point the loader at this directory's file plus the given extras.</summary>
    public string[] Args(params string[] extra) => ["--config-file", File, .. extra];

    /// <summary>Writes <paramref name="json"/> as the daemon.json and loads it with the given flags.</summary>
    public Berth.Daemon.Configuration.ConfigLoadResult Load(string json, params string[] args)
    {
        Write(json);
        return Berth.Daemon.Configuration.ConfigLoader.Load(Args(args));
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
