using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Berth.Api.Http;

/// <summary>
/// dockerd's JSON message streams (load, import, build, pull, push): one object plus "\r\n" per
/// message, flushed as one chunk. The pair must share a chunk: docker-py parses a chunked stream
/// chunk by chunk and fails on a chunk that holds only the line break.
/// </summary>
internal static class JsonLines
{
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();

    public static async Task WriteAsync<T>(HttpResponse response, T value, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var output = response.BodyWriter;
        using (var json = new Utf8JsonWriter(output))
        {
            JsonSerializer.Serialize(json, value, type);
        }
        output.Write(CrLf);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
