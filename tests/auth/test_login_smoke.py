from tests.conftest import csrf_token_from, login


def test_sign_in_with_the_right_password_reaches_home(client, world):
    response = login(client, world.sup_a)
    assert response.status_code == 303
    page = client.get("/")
    assert page.status_code == 200
    assert "MK-SUPA" in page.get_data(as_text=True)


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(client, world):
    wrong = login(client, world.sup_a, password="nope-nope-nope")
    page = client.get("/auth/login").get_data(as_text=True)
    unknown = client.post(
        "/auth/login",
        data={
            "email": "nobody@world.example.com",
            "password": "x",
            "csrf_token": csrf_token_from(page),
        },
    )
    assert wrong.status_code == unknown.status_code == 422
    message = "E-mail or password is incorrect."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
