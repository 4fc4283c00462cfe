package io.massmessage.relay.provider;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;

/**
 * A response body read into memory up to {@code maxBytes}: one byte more fails the exchange with
 * {@link TooLargeException} and the Web Client resets the request, so the rest is never buffered.
 * {@link #abort} fails it the same way from outside (the whole exchange's deadline).
 * One instance per request.
 */
final class BoundedBody implements BodyCodec<Buffer> {

    /** The provider's answer was longer than the configured cap. */
    static final class TooLargeException extends RuntimeException {
        TooLargeException(long maxBytes) {
            super("response body longer than " + maxBytes + " bytes", null, false, false);
        }
    }

    private final long maxBytes;
    private final Promise<Buffer> result = Promise.promise();
    private final Buffer body = Buffer.buffer();

    BoundedBody(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Fails the exchange at once (a no-op once the body is complete). */
    void abort(Throwable why) {
        result.tryFail(why);
    }

    @Override
    public void create(Handler<AsyncResult<BodyStream<Buffer>>> handler) {
        handler.handle(Future.succeededFuture(new Stream()));
    }

    private final class Stream implements BodyStream<Buffer> {

        @Override
        public Future<Buffer> result() {
            return result.future();
        }

        @Override
        public void handle(Throwable failure) {
            result.tryFail(failure);
        }

        @Override
        public BodyStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public Future<Void> write(Buffer data) {
            if (result.future().isComplete()) {
                return Future.failedFuture(
                        result.future().failed() ? result.future().cause() : new IllegalStateException("ended"));
            }
            if (body.length() + (long) data.length() > maxBytes) {
                TooLargeException tooLarge = new TooLargeException(maxBytes);
                result.tryFail(tooLarge);
                return Future.failedFuture(tooLarge);
            }
            body.appendBuffer(data);
            return Future.succeededFuture();
        }

        @Override
        public void write(Buffer data, Handler<AsyncResult<Void>> handler) {
            Future<Void> written = write(data);
            if (handler != null) {
                handler.handle(written);
            }
        }

        @Override
        public void end(Handler<AsyncResult<Void>> handler) {
            result.tryComplete(body);
            if (handler != null) {
                handler.handle(result.future().succeeded() ? Future.succeededFuture()
                        : Future.failedFuture(result.future().cause()));
            }
        }

        @Override
        public BodyStream<Buffer> setWriteQueueMaxSize(int maxSize) {
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return false;
        }

        @Override
        public BodyStream<Buffer> drainHandler(Handler<Void> handler) {
            return this;
        }
    }
}
