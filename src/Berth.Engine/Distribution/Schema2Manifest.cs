using System.Text.Json;
using Berth.Engine.Images;

namespace Berth.Engine.Distribution;

/// <summary>
/// Writes a Docker image manifest v2 schema 2 as docker/distribution's schema2 package does
/// (fields in its order, three-space indentation), so pushes by dockerd and Berth of the same
/// layers give byte-identical manifests.
/// </summary>
public static class Schema2Manifest
{
    public static byte[] Write(Digest config, long configSize, IReadOnlyList<BlobSource> layers)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            IndentSize = 3,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", Images.Archive.MediaTypes.DockerManifest);
            w.WriteStartObject("config");
            w.WriteString("mediaType", ManifestMediaTypes.DockerConfig);
            w.WriteNumber("size", configSize);
            w.WriteString("digest", config.ToString());
            w.WriteEndObject();
            w.WriteStartArray("layers");
            foreach (var layer in layers)
            {
                w.WriteStartObject();
                w.WriteString("mediaType", layer.MediaType);
                w.WriteNumber("size", layer.Size);
                w.WriteString("digest", layer.Blob.ToString());
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
