using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Api.Streams;

/// <summary>
/// Takes over the connection for attach/exec streams the way dockerd does: with
/// "Connection: Upgrade, Upgrade: tcp" a 101 UPGRADED and a raw duplex stream; without, a 200
/// whose body is the stream (old clients). The half-close transport keeps our output flowing
/// after the client's FIN (docs: http-hijack.md).
/// </summary>
public static class Hijack
{
    public const string MultiplexedStream = "application/vnd.docker.multiplexed-stream";
    public const string RawStream = "application/vnd.docker.raw-stream";

    public static async Task<Stream> AcceptAsync(HttpContext context, bool tty)
    {
        var response = context.Response;
        response.ContentType = tty ? RawStream : MultiplexedStream;
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is { IsUpgradableRequest: true })
        {
            response.Headers.Connection = "Upgrade";
            response.Headers.Upgrade = "tcp";
            if (context.Features.Get<IHttpResponseFeature>() is { } feature)
            {
                feature.ReasonPhrase = "UPGRADED";
            }
            return await upgrade.UpgradeAsync();
        }
        response.StatusCode = StatusCodes.Status200OK;
        await response.StartAsync(context.RequestAborted);
        return new DuplexBody(context.Request.Body, response.Body);
    }

    /// <summary>Request body in, response body out: the non-upgraded fallback as one stream.</summary>
    private sealed class DuplexBody(Stream input, Stream output) : Stream
    {
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => input.ReadAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => output.WriteAsync(buffer, cancellationToken);

        public override void Flush() => output.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
