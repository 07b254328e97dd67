# ray-operator image: the operator and its runtime dependencies only (no Ray, no test tools).
# Build: docker build -t ray-operator:0.1.0 .
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY operator ./operator
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY --from=build /install /usr/local
# An unprivileged user with a fixed id, matching the chart's runAsUser.
RUN useradd --uid 65532 --no-create-home --shell /usr/sbin/nologin ray-operator
USER 65532
EXPOSE 8080 8082
ENTRYPOINT ["ray-operator"]
