using Berth.Api.Errors;
using Berth.Engine.Errors;

namespace Berth.UnitTests.Api;

public class ErrorStatusMapTests
{
    [Theory]
    [InlineData(ErrorKind.NotFound, 404)]
    [InlineData(ErrorKind.InvalidParameter, 400)]
    [InlineData(ErrorKind.Conflict, 409)]
    [InlineData(ErrorKind.Unauthorized, 401)]
    [InlineData(ErrorKind.Forbidden, 403)]
    [InlineData(ErrorKind.Unavailable, 503)]
    [InlineData(ErrorKind.NotModified, 304)]
    [InlineData(ErrorKind.NotImplemented, 501)]
    [InlineData(ErrorKind.System, 500)]
    public void MapsEveryKind(ErrorKind kind, int status) => Assert.Equal(status, ErrorStatusMap.StatusOf(kind));

    [Fact]
    public void WrappingKeepsTheKind()
    {
        var inner = DaemonException.NotFound("No such container: x");
        var wrapped = new InvalidOperationException("while starting", inner);
        Assert.Equal(404, ErrorStatusMap.StatusOf(wrapped));
    }

    [Fact]
    public void UnknownExceptionsAreServerErrors() => Assert.Equal(500, ErrorStatusMap.StatusOf(new IOException("disk")));
}
