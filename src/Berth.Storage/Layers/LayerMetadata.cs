using System.Security.Cryptography;
using System.Text.Json;
using Berth.Engine.Images;

namespace Berth.Storage.Layers;

/// <summary>What a layer directory says about itself (layer.json / rw.json); no reflection.</summary>
internal sealed record LayerMetadata(string CacheId, string ShortId, Digest? ChainId, Digest? DiffId, Digest? ParentChainId, long Size)
{
    public const string ImageFile = "layer.json";
    public const string ReadWriteFile = "rw.json";

    /// <summary>Writes temp-then-rename with fsync, so a reader sees the old file or the whole new one.</summary>
    public void Write(string path)
    {
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 0))
        {
            using (var json = new Utf8JsonWriter(file))
            {
                json.WriteStartObject();
                json.WriteString("cacheId", CacheId);
                json.WriteString("shortId", ShortId);
                WriteDigest(json, "chainId", ChainId);
                WriteDigest(json, "diffId", DiffId);
                WriteDigest(json, "parent", ParentChainId);
                json.WriteNumber("size", Size);
                json.WriteEndObject();
            }
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Null when the file is missing or unreadable (an unfinished layer).</summary>
    public static LayerMetadata? TryRead(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            return new LayerMetadata(
                root.GetProperty("cacheId").GetString()!,
                root.GetProperty("shortId").GetString()!,
                ReadDigest(root, "chainId"),
                ReadDigest(root, "diffId"),
                ReadDigest(root, "parent"),
                root.GetProperty("size").GetInt64());
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>overlay2's short link names: 26 characters of base32, short enough for mount(2)'s page.</summary>
    public static string NewShortId()
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = RandomNumberGenerator.GetBytes(26);
        return string.Create(26, bytes, (span, b) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[b[i] & 31];
            }
        });
    }

    public static string NewCacheId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static void WriteDigest(Utf8JsonWriter json, string name, Digest? digest)
    {
        if (digest is { } d)
        {
            json.WriteString(name, d.ToString());
        }
    }

    private static Digest? ReadDigest(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && Digest.TryParse(value.GetString(), out var digest) ? digest : null;
}
