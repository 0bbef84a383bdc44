namespace Berth.UnitTests.Storage;

/// <summary>A fresh data-root path under the temp directory, removed with everything in it.</summary>
internal sealed class TestDataRoot : IDisposable
{
    public TestDataRoot()
    {
        // Not created here: the store must create it itself, with 0700.
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "berth-test-" + Guid.NewGuid().ToString("N"), "data");
    }

    public string Path { get; }

    public void Dispose()
    {
        var parent = System.IO.Path.GetDirectoryName(Path)!;
        if (Directory.Exists(parent))
        {
            Directory.Delete(parent, recursive: true);
        }
    }
}
