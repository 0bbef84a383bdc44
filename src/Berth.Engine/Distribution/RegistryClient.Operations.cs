using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.Engine.Distribution;

/// <summary>A manifest as fetched: its exact bytes, media type and digest.</summary>
public sealed record FetchedManifest(byte[] Bytes, string MediaType, Digest Digest);

public sealed partial class RegistryClient
{
    /// <summary>Manifests are small; a bigger answer is refused rather than buffered (dockerd: 4 MiB).</summary>
    public const int MaxManifestSize = 4 << 20;

    /// <summary>GET a manifest by tag or digest with every media type Berth understands (schema1 too, to refuse it by name).</summary>
    public async Task<FetchedManifest> GetManifestAsync(string reference, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("manifests/" + reference));
        foreach (var type in ManifestMediaTypes.Accepted)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }
        using var response = await SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorOf(response, cancellationToken);
        }
        var bytes = await ReadBoundedAsync(response.Content, MaxManifestSize, cancellationToken);
        var mediaType = ManifestMediaTypes.Detect(response.Content.Headers.ContentType?.MediaType, bytes);
        return new FetchedManifest(bytes, mediaType, Digest.Compute(bytes));
    }

    /// <summary>GET a blob; the caller reads (and disposes) the response. Redirects are followed.</summary>
    public async Task<HttpResponseMessage> GetBlobAsync(Digest digest, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Url("blobs/" + digest));
        var response = await SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ErrorOf(response, cancellationToken);
            }
        }
        return response;
    }

    /// <summary>HEAD a blob: its size when the repository has it, null when not.</summary>
    public async Task<long?> StatBlobAsync(Digest digest, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, Url("blobs/" + digest));
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorOf(response, cancellationToken);
        }
        return response.Content.Headers.ContentLength ?? 0;
    }

    /// <summary>
    /// POST blobs/uploads/: starts an upload session (its URL), or with <paramref name="mountFrom"/>
    /// asks for a cross-repository mount — null when the registry mounted the blob (201).
    /// </summary>
    public async Task<Uri?> StartUploadAsync(Digest? mount, string? mountFrom, CancellationToken cancellationToken)
    {
        var relative = "blobs/uploads/";
        if (mount is { } m && mountFrom is not null)
        {
            relative += $"?mount={Uri.EscapeDataString(m.ToString())}&from={Uri.EscapeDataString(mountFrom)}";
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, Url(relative)) { Content = new ByteArrayContent([]) };
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Created && mount is not null)
        {
            return null;
        }
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await ErrorOf(response, cancellationToken);
        }
        return LocationOf(response, request.RequestUri!);
    }

    /// <summary>PATCH a chunk (streamed, or with a Content-Range when its offset is given); returns the next URL.</summary>
    public async Task<Uri> PatchAsync(Uri location, HttpContent content, long? offset, long? length, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (offset is { } start && length is { } n)
        {
            content.Headers.ContentLength = n;
            request.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + n - 1}");
        }
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await ErrorOf(response, cancellationToken);
        }
        return LocationOf(response, location);
    }

    /// <summary>PUT ?digest=: closes an upload, with the last bytes (monolithic) or none.</summary>
    public async Task CompleteUploadAsync(Uri location, Digest digest, HttpContent? content, CancellationToken cancellationToken)
    {
        var builder = new UriBuilder(location);
        var query = builder.Query.TrimStart('?');
        builder.Query = (query.Length > 0 ? query + "&" : "") + "digest=" + Uri.EscapeDataString(digest.ToString());
        using var request = new HttpRequestMessage(HttpMethod.Put, builder.Uri) { Content = content ?? new ByteArrayContent([]) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw await ErrorOf(response, cancellationToken);
        }
    }

    /// <summary>PUT a manifest under a tag (or digest) with its media type.</summary>
    public async Task PutManifestAsync(string reference, byte[] manifest, string mediaType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, Url("manifests/" + reference)) { Content = new ByteArrayContent(manifest) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw await ErrorOf(response, cancellationToken);
        }
    }

    /// <summary>GET tags/list (pull -a).</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("tags/list"));
        using var response = await SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorOf(response, cancellationToken);
        }
        var bytes = await ReadBoundedAsync(response.Content, 16 << 20, cancellationToken);
        using var doc = JsonDocument.Parse(bytes);
        var tags = new List<string>();
        if (doc.RootElement.TryGetProperty("tags", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var t in array.EnumerateArray())
            {
                if (t.ValueKind == JsonValueKind.String)
                {
                    tags.Add(t.GetString()!);
                }
            }
        }
        return tags;
    }

    private static Uri LocationOf(HttpResponseMessage response, Uri requestUri)
    {
        var location = response.Headers.Location ?? throw DaemonException.System("registry answered an upload without a Location header");
        return location.IsAbsoluteUri ? location : new Uri(requestUri, location);
    }
}
