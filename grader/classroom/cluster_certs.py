"""Credentials for grading on a Dask cluster: a certificate authority of the course's own
and, signed by it, a certificate for the scheduler, one for the workers and one for
the grading client.

With them Dask speaks TLS with mutual authentication: whoever connects to the
scheduler or a worker without a certificate of this authority is refused before
any message is read, so no outsider can run code on the workers (they run as
root), read submissions or hand in results. The authority's key is never kept:
no further certificate can be signed; to replace one, write a new set.
"""
import datetime
import os
from pathlib import Path

ROLES = ("scheduler", "worker", "client")
CA = "ca.pem"
VALID_DAYS = 365


class CertificateError(ValueError):
    """The credentials cannot be written or used: one line, naming the file."""


def cert_file(role):
    return f"{role}.pem"


def key_file(role):
    return f"{role}.key"


def credentials(days=VALID_DAYS):
    """{file name: PEM bytes}: the authority's certificate, and each role's certificate and key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(common_name, key, issuer, signer, is_ca):
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        builder = (x509.CertificateBuilder()
                   .subject_name(subject).issuer_name(issuer or subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))  # a worker's clock a little behind
                   .not_valid_after(now + datetime.timedelta(days=days))
                   .add_extension(x509.BasicConstraints(ca=is_ca, path_length=0 if is_ca else None), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),
                                  critical=False))
        if is_ca:
            usage = dict(key_cert_sign=True, crl_sign=True, digital_signature=False)
        else:  # every role both listens and connects (workers talk to each other)
            usage = dict(key_cert_sign=False, crl_sign=False, digital_signature=True)
            builder = builder.add_extension(x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        builder = builder.add_extension(x509.KeyUsage(
            content_commitment=False, key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False, **usage), critical=True)
        return builder.sign(signer, hashes.SHA256())

    def pem(cert):
        return cert.public_bytes(serialization.Encoding.PEM)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = certificate("backprop-grader cluster authority", ca_key, None, ca_key, True)
    files = {CA: pem(ca_cert)}
    for role in ROLES:
        key = ec.generate_private_key(ec.SECP256R1())
        files[cert_file(role)] = pem(certificate(f"backprop-grader {role}", key, ca_cert.subject, ca_key, False))
        files[key_file(role)] = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption())
    return files


def write_credentials(folder):
    """Write a fresh set into `folder` (made mode 700 if new; every file 600). Refuses to replace a set."""
    folder = Path(folder)
    files = credentials()
    taken = [name for name in files if (folder / name).exists()]
    if taken:
        raise CertificateError(f"{folder} already holds {', '.join(taken)}; remove them or choose another folder")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name, data in files.items():
            descriptor = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with open(descriptor, "wb") as out:
                out.write(data)
    except OSError as problem:
        raise CertificateError(f"cannot write the credentials into {folder}: {problem.strerror or problem}") from None
    return sorted(files)


def client_security(folder):
    """Dask's Security for the grading client from a folder written by write_credentials."""
    from distributed import Security
    folder = Path(folder)
    for name in (CA, cert_file("client"), key_file("client")):
        if not (folder / name).is_file():
            raise CertificateError(f"--cluster-certs {folder}: there is no {name} (python -m grader "
                                   f"cluster-certs DIR writes a set)")
    key = folder / key_file("client")
    mode = key.stat().st_mode & 0o777
    if mode & 0o077:
        raise CertificateError(f"--cluster-certs {folder}: {key.name} is open to other users (mode {mode:o}), so "
                               f"any of them could run code on the cluster: chmod 600 {key}")
    security = Security(require_encryption=True, tls_ca_file=str(folder / CA),
                        tls_client_cert=str(folder / cert_file("client")), tls_client_key=str(key))
    try:
        security.get_connection_args("client")  # loads them now, so a broken file is named before grading
    except (OSError, ValueError) as problem:
        raise CertificateError(f"--cluster-certs {folder}: its certificates cannot be used ({problem})") from None
    return security


def local_security():
    """Fresh credentials for a LocalCluster, held in memory only (its processes get them from us)."""
    from distributed import Security
    files = {name: data.decode() for name, data in credentials(days=7).items()}
    return Security(require_encryption=True, tls_ca_file=files[CA],
                    **{f"tls_{role}_{kind}": files[name(role)]
                       for role in ROLES for kind, name in (("cert", cert_file), ("key", key_file))})
