using System.Text;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Storage.Content;

namespace Berth.UnitTests.Storage.Content;

public sealed class ContentStoreTests : IDisposable
{
    private readonly TestDataRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task WriteAsync_StoresUnderDigestAndReadsBack()
    {
        var store = new ContentStore(_root.Path);
        var bytes = Encoding.UTF8.GetBytes("{\"hello\":\"world\"}");
        var digest = await store.WriteAsync(new MemoryStream(bytes), Digest.Compute(bytes), 1024, CancellationToken.None);

        Assert.Equal(Digest.Compute(bytes), digest);
        Assert.True(File.Exists(Path.Combine(_root.Path, "content", "sha256", digest.Hex)));
        Assert.True(store.Exists(digest));
        Assert.Equal(bytes.Length, store.SizeOf(digest));
        Assert.Equal(bytes, store.ReadAll(digest));
        using var read = store.OpenRead(digest);
        using var copy = new MemoryStream();
        read.CopyTo(copy);
        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal([digest], store.List());
        Assert.Empty(Directory.GetFiles(Path.Combine(_root.Path, "content", "ingest")));
    }

    [Fact]
    public async Task WriteAsync_WrongDigest_IsInvalidParameterAndKeepsNothing()
    {
        var store = new ContentStore(_root.Path);
        var expected = Digest.Compute("other"u8);
        var actual = Digest.Compute("data"u8);

        var error = await Assert.ThrowsAsync<DaemonException>(() =>
            store.WriteAsync(new MemoryStream("data"u8.ToArray()), expected, 1024, CancellationToken.None));

        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal($"digest mismatch: expected {expected}, got {actual}", error.Message);
        Assert.Empty(store.List());
        Assert.Empty(Directory.GetFiles(Path.Combine(_root.Path, "content", "ingest")));
    }

    [Fact]
    public async Task WriteAsync_TooLarge_IsInvalidParameterAndKeepsNothing()
    {
        var store = new ContentStore(_root.Path);
        var error = await Assert.ThrowsAsync<DaemonException>(() =>
            store.WriteAsync(new MemoryStream(new byte[5000]), null, 4096, CancellationToken.None));

        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Empty(store.List());
        Assert.Empty(Directory.GetFiles(Path.Combine(_root.Path, "content", "ingest")));
    }

    [Fact]
    public void Write_Span_VerifiesAndDeduplicates()
    {
        var store = new ContentStore(_root.Path);
        var digest = store.Write("abc"u8);
        Assert.Equal(digest, store.Write("abc"u8, digest));
        Assert.Equal(ErrorKind.InvalidParameter, Assert.Throws<DaemonException>(() => store.Write("abd"u8, digest)).Kind);
        Assert.Single(store.List());
    }

    [Fact]
    public void Missing_IsNotFound()
    {
        var store = new ContentStore(_root.Path);
        var digest = Digest.Compute("nothing"u8);
        Assert.False(store.Exists(digest));
        Assert.Null(store.SizeOf(digest));
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<DaemonException>(() => store.ReadAll(digest)).Kind);
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<DaemonException>(() => store.OpenRead(digest)).Kind);
        store.Delete(digest); // absent: ignored
    }

    [Fact]
    public void Collect_RemovesUnkeptBlobsAndIngestLeftovers()
    {
        var store = new ContentStore(_root.Path);
        var keep = store.Write("keep"u8);
        var drop = store.Write("drop-me"u8);
        var leftover = Path.Combine(_root.Path, "content", "ingest", "deadbeef");
        File.WriteAllBytes(leftover, new byte[10]);

        long freed = store.Collect(new HashSet<Digest> { keep });

        Assert.Equal(7 + 10, freed);
        Assert.True(store.Exists(keep));
        Assert.False(store.Exists(drop));
        Assert.False(File.Exists(leftover));
    }

    [Fact]
    public void Constructor_CreatesPrivateDirectories()
    {
        _ = new ContentStore(_root.Path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.Combine(_root.Path, "content", "sha256")));
    }
}
